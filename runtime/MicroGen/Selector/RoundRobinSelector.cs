using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Threading;
using MicroGen.Registry;

namespace MicroGen.Selector;

/// <summary>Takes the nodes that pass the filters in turn, per service.</summary>
public sealed class RoundRobinSelector : SelectorBase
{
    private readonly ConcurrentDictionary<string, StrongBox> _counters = new();

    /// <summary>Creates the selector.</summary>
    public RoundRobinSelector(SelectorOptions? options = null)
        : base(options)
    {
    }

    /// <inheritdoc/>
    public override string Name => "roundrobin";

    /// <inheritdoc/>
    protected override Node Pick(string service, IReadOnlyList<Node> candidates)
    {
        var counter = _counters.GetOrAdd(service, static _ => new StrongBox());
        var next = (uint)Interlocked.Increment(ref counter.Value);
        return candidates[(int)(next % (uint)candidates.Count)];
    }

    private sealed class StrongBox
    {
        public int Value = -1;
    }
}
