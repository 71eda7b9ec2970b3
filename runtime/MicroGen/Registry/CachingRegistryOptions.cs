using System;
using Microsoft.Extensions.Logging;

namespace MicroGen.Registry;

/// <summary>Options of the <see cref="CachingRegistry"/>.</summary>
public sealed class CachingRegistryOptions
{
    /// <summary>The default lifetime of a cached lookup: 30 seconds.</summary>
    public static readonly TimeSpan DefaultTtl = TimeSpan.FromSeconds(30);

    /// <summary>The default pause before a failed or ended watch on the inner registry is restarted: 1 second.</summary>
    public static readonly TimeSpan DefaultWatchRetryDelay = TimeSpan.FromSeconds(1);

    /// <summary>
    /// How long a cached lookup is served before it is looked up again. The watch keeps entries
    /// current; the TTL is the safety net for a missed event. Defaults to <see cref="DefaultTtl"/>.
    /// </summary>
    public TimeSpan Ttl { get; set; } = DefaultTtl;

    /// <summary>
    /// The pause before a failed or ended watch on the inner registry is started again.
    /// Defaults to <see cref="DefaultWatchRetryDelay"/>.
    /// </summary>
    public TimeSpan WatchRetryDelay { get; set; } = DefaultWatchRetryDelay;

    /// <summary>Where warnings (stale entries served, watch failures) go. Defaults to no logging.</summary>
    public ILoggerFactory? LoggerFactory { get; set; }

    /// <summary>The clock deciding when entries go stale. Defaults to <see cref="TimeProvider.System"/>.</summary>
    public TimeProvider? TimeProvider { get; set; }
}
