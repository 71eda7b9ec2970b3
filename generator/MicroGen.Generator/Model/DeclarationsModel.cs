using MicroGen.Generator.Helpers;

namespace MicroGen.Generator.Model;

/// <summary>Every <c>[MicroService]</c> contract and <c>[MicroEvent]</c> type of a compilation, parsed.</summary>
/// <remarks>
/// Immutable and value-equatable; holds no symbol, syntax node, location or compilation. Both arrays
/// are in the order Roslyn lists the syntax trees, then in source order, so a model that did not
/// change keeps its index and the steps after it stay Cached.
/// </remarks>
internal sealed record DeclarationsModel
{
    /// <summary>The contracts the generator can carry; a contract breaking a rule is left out (the analyzers report it).</summary>
    public required EquatableArray<ContractModel> Contracts { get; init; }

    /// <summary>The event types the generator can carry.</summary>
    public required EquatableArray<EventModel> Events { get; init; }
}
