using System;
using System.Collections.Generic;
using MicroGen.Registry;

namespace MicroGen.Selector;

/// <summary>Picks a random node among those that pass the filters: go-micro's default strategy.</summary>
public sealed class RandomSelector : SelectorBase
{
    /// <summary>Creates the selector.</summary>
    public RandomSelector(SelectorOptions? options = null)
        : base(options)
    {
    }

    /// <inheritdoc/>
    public override string Name => "random";

    /// <inheritdoc/>
    protected override Node Pick(string service, IReadOnlyList<Node> candidates) =>
        candidates[Random.Shared.Next(candidates.Count)];
}
