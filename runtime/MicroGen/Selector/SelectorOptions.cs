using System;

namespace MicroGen.Selector;

/// <summary>Options of the built-in selectors.</summary>
public sealed class SelectorOptions
{
    /// <summary>The default back-off for a node that failed to connect: 5 seconds.</summary>
    public static readonly TimeSpan DefaultMarkBackoff = TimeSpan.FromSeconds(5);

    /// <summary>
    /// How long a node that failed to connect stays out of rotation. Each further failure doubles it,
    /// up to 8 times. Defaults to <see cref="DefaultMarkBackoff"/>.
    /// </summary>
    public TimeSpan MarkBackoff { get; set; } = DefaultMarkBackoff;

    /// <summary>The clock, for tests. Defaults to <see cref="TimeProvider.System"/>.</summary>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;
}
