using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using MicroGen.Registry;

namespace MicroGen.Selector;

/// <summary>
/// The shared part of the built-in selectors: filters, excluded nodes, and the back-off list of
/// nodes marked as failing. Subclasses choose among the remaining candidates.
/// </summary>
public abstract class SelectorBase : ISelector
{
    private readonly ConcurrentDictionary<string, Backoff> _marked = new(StringComparer.Ordinal);

    /// <summary>Creates the selector.</summary>
    protected SelectorBase(SelectorOptions? options) => Options = options ?? new SelectorOptions();

    /// <summary>The selector's options.</summary>
    public SelectorOptions Options { get; }

    /// <inheritdoc/>
    public abstract string Name { get; }

    /// <inheritdoc/>
    public Node? Select(string service, IReadOnlyList<ServiceInfo> services, SelectOptions? options = null)
    {
        options ??= SelectOptions.Default;
        foreach (var filter in options.Filters)
        {
            services = filter(services);
        }

        var now = Options.TimeProvider.GetUtcNow();
        List<Node>? healthy = null;
        List<Node>? marked = null;
        foreach (var info in services)
        {
            foreach (var node in info.Nodes)
            {
                if (options.ExcludedNodes.Count > 0 && Contains(options.ExcludedNodes, node.Id))
                {
                    continue;
                }
                if (!_marked.IsEmpty && _marked.TryGetValue(node.Id, out var backoff) && backoff.Until > now)
                {
                    (marked ??= new List<Node>()).Add(node);
                    continue;
                }
                (healthy ??= new List<Node>()).Add(node);
            }
        }

        // When every node is backing off, trying one beats failing without trying.
        var candidates = healthy ?? marked;
        return candidates is null ? null : Pick(service, candidates);
    }

    /// <inheritdoc/>
    public void Mark(string service, Node node, Exception? error)
    {
        ArgumentNullException.ThrowIfNull(node);
        if (error is null)
        {
            _marked.TryRemove(node.Id, out _);
            return;
        }
        var now = Options.TimeProvider.GetUtcNow();
        _marked.AddOrUpdate(
            node.Id,
            static (_, state) => new Backoff(1, state.now + state.backoff),
            static (_, previous, state) =>
            {
                var failures = Math.Min(previous.Failures + 1, 8);
                return new Backoff(failures, state.now + state.backoff * (1 << (failures - 1)));
            },
            (now, backoff: Options.MarkBackoff));
    }

    /// <summary>Chooses one of <paramref name="candidates"/> (never empty).</summary>
    protected abstract Node Pick(string service, IReadOnlyList<Node> candidates);

    private static bool Contains(IReadOnlyCollection<string> ids, string id)
    {
        foreach (var candidate in ids)
        {
            if (candidate == id)
            {
                return true;
            }
        }
        return false;
    }

    // A class, not a struct: ConcurrentDictionary<string, reference type> runs the framework's
    // precompiled shared code, while a struct value makes a new process JIT every method it touches
    // (the constructor at client creation, TryRemove on the first successful call). It is only
    // allocated when a node fails.
    private sealed record Backoff(int Failures, DateTimeOffset Until);
}
