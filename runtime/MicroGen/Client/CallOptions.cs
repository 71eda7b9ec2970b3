using System;
using System.Collections.Generic;
using MicroGen.Selector;

namespace MicroGen.Client;

/// <summary>
/// Options of one call, or defaults of a proxy. Immutable; derive variants with <c>with</c>.
/// Unset members fall back to the proxy's options, then to <see cref="ClientOptions"/>.
/// </summary>
public sealed record CallOptions
{
    /// <summary>No overrides.</summary>
    public static CallOptions Default { get; } = new();

    /// <summary>How long to wait for the reply; the server cancels the handler when it passes.</summary>
    public TimeSpan? Timeout { get; init; }

    /// <summary>How many times to retry a call that failed for a transport reason.</summary>
    public int? Retries { get; init; }

    /// <summary>The content type to send, naming the codec (for example <c>application/json</c>).</summary>
    public string? ContentType { get; init; }

    /// <summary>The service name to discover instead of the contract's, for example a renamed deployment.</summary>
    public string? Service { get; init; }

    /// <summary>Call this address directly, bypassing the registry and selector.</summary>
    public string? Address { get; init; }

    /// <summary>Selector filters (by version, by node metadata) for this call.</summary>
    public IReadOnlyList<SelectFilter>? Filters { get; init; }

    /// <summary>Headers sent with the call in addition to the ambient <see cref="MicroContext"/>'s.</summary>
    public Metadata? Metadata { get; init; }

    internal CallOptions MergeOver(CallOptions? fallback)
    {
        if (fallback is null || ReferenceEquals(fallback, Default))
        {
            return this;
        }
        if (ReferenceEquals(this, Default))
        {
            return fallback;
        }
        Metadata? metadata = Metadata;
        if (fallback.Metadata is { Count: > 0 } && Metadata is { Count: > 0 })
        {
            metadata = fallback.Metadata.Clone();
            metadata.MergeFrom(Metadata);
        }
        return new CallOptions
        {
            Timeout = Timeout ?? fallback.Timeout,
            Retries = Retries ?? fallback.Retries,
            ContentType = ContentType ?? fallback.ContentType,
            Service = Service ?? fallback.Service,
            Address = Address ?? fallback.Address,
            Filters = Filters ?? fallback.Filters,
            Metadata = metadata ?? fallback.Metadata,
        };
    }
}
