using System;

namespace MicroGen.Registry;

/// <summary>Options of one <see cref="IRegistry.RegisterAsync"/> call.</summary>
/// <param name="Ttl">How long the registration lives without a refresh. Defaults to <see cref="DefaultTtl"/>.</param>
public sealed record RegisterOptions(TimeSpan Ttl)
{
    /// <summary>go-micro's RegisterTTL default: 30 seconds.</summary>
    public static readonly TimeSpan DefaultTtl = TimeSpan.FromSeconds(30);

    /// <summary>Options with the default TTL.</summary>
    public static RegisterOptions Default { get; } = new(DefaultTtl);
}
