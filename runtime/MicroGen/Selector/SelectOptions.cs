using System;
using System.Collections.Generic;
using System.Linq;
using MicroGen.Registry;

namespace MicroGen.Selector;

/// <summary>go-micro's selector filter: narrows the services considered for a call.</summary>
public delegate IReadOnlyList<ServiceInfo> SelectFilter(IReadOnlyList<ServiceInfo> services);

/// <summary>Options of one selection. Immutable; derive variants with <c>with</c>.</summary>
public sealed record SelectOptions
{
    /// <summary>No filters, nothing excluded.</summary>
    public static SelectOptions Default { get; } = new();

    /// <summary>Filters applied in order before a node is picked.</summary>
    public IReadOnlyList<SelectFilter> Filters { get; init; } = Array.Empty<SelectFilter>();

    /// <summary>Node ids not to pick, for example those a retry already tried.</summary>
    public IReadOnlyCollection<string> ExcludedNodes { get; init; } = Array.Empty<string>();
}

/// <summary>Built-in <see cref="SelectFilter"/>s, like go-micro's <c>selector.FilterVersion</c>.</summary>
public static class SelectFilters
{
    /// <summary>Keeps only services of version <paramref name="version"/>.</summary>
    public static SelectFilter Version(string version) =>
        services => services.Where(s => string.Equals(s.Version, version, StringComparison.Ordinal)).ToArray();

    /// <summary>Keeps only nodes whose metadata has <paramref name="key"/> = <paramref name="value"/>.</summary>
    public static SelectFilter Metadata(string key, string value) =>
        services => services
            .Select(s => s with { Nodes = s.Nodes.Where(n => n.Metadata.TryGetValue(key, out var v) && v == value).ToArray() })
            .Where(s => s.Nodes.Count > 0)
            .ToArray();
}
