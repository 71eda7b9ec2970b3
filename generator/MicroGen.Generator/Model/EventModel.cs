using MicroGen.Generator.Helpers;

namespace MicroGen.Generator.Model;

/// <summary>One <c>[MicroEvent]</c> type and the codec types it needs.</summary>
/// <remarks>Immutable and value-equatable; holds no symbol, syntax node, location or compilation.</remarks>
internal sealed record EventModel
{
    /// <summary>The event type's fully qualified name.</summary>
    public required string FullName { get; init; }

    /// <summary>The event type and every type reachable from it, sorted ordinally by name.</summary>
    public required EquatableArray<CodecTypeModel> CodecTypes { get; init; }
}
