using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Threading;
using MicroGen.Registry;

namespace MicroGen.Selector;

/// <summary>
/// The shared part of the built-in selectors: filters, excluded nodes, and the back-off list of
/// nodes marked as failing. Subclasses choose among the remaining candidates.
/// </summary>
public abstract class SelectorBase : ISelector
{
    private readonly ConcurrentDictionary<string, Backoff> _marked = new(StringComparer.Ordinal);
    private int _markedCount; // entries in _marked: counted, as the dictionary's own Count and IsEmpty take every lock

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
        var filters = options.Filters;
        for (var i = 0; i < filters.Count; i++)
        {
            services = filters[i](services);
        }

        // Every call without an address comes here: the usual case (one registry entry, nothing
        // excluded, no node backing off) picks straight from the entry's nodes, allocating nothing.
        var excluded = options.ExcludedNodes;
        var anyMarked = Volatile.Read(ref _markedCount) != 0;
        if (services.Count == 1 && excluded.Count == 0 && !anyMarked)
        {
            var nodes = services[0].Nodes;
            return nodes.Count == 0 ? null : Pick(service, nodes);
        }

        var now = anyMarked ? Options.TimeProvider.GetUtcNow() : default;
        List<Node>? healthy = null;
        List<Node>? marked = null;
        for (var i = 0; i < services.Count; i++)
        {
            var nodes = services[i].Nodes;
            for (var j = 0; j < nodes.Count; j++)
            {
                var node = nodes[j];
                if (excluded.Count > 0 && Contains(excluded, node.Id))
                {
                    continue;
                }
                if (anyMarked && _marked.TryGetValue(node.Id, out var backoff) && backoff.Until > now)
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
            // Every successful call reports here: with no node backing off there is nothing to clear,
            // and the dictionary's lock is not taken.
            if (Volatile.Read(ref _markedCount) != 0 && _marked.TryRemove(node.Id, out _))
            {
                Interlocked.Decrement(ref _markedCount);
            }
            return;
        }
        var now = Options.TimeProvider.GetUtcNow();
        while (true)
        {
            if (_marked.TryGetValue(node.Id, out var previous))
            {
                var failures = Math.Min(previous.Failures + 1, 8);
                if (_marked.TryUpdate(node.Id, new Backoff(failures, now + Options.MarkBackoff * (1 << (failures - 1))), previous))
                {
                    return;
                }
            }
            else if (_marked.TryAdd(node.Id, new Backoff(1, now + Options.MarkBackoff)))
            {
                Interlocked.Increment(ref _markedCount);
                return;
            }
        }
    }

    /// <summary>Chooses one of <paramref name="candidates"/> (never empty).</summary>
    protected abstract Node Pick(string service, IReadOnlyList<Node> candidates);

    private static bool Contains(IReadOnlyCollection<string> ids, string id)
    {
        if (ids is IReadOnlyList<string> list)
        {
            for (var i = 0; i < list.Count; i++)
            {
                if (list[i] == id)
                {
                    return true;
                }
            }
            return false;
        }
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
