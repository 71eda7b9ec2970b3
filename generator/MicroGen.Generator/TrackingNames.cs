namespace MicroGen.Generator;

/// <summary>
/// Names given to the generator's incremental steps with <c>WithTrackingName</c>, so that tests can
/// assert that an unrelated edit leaves them <c>Cached</c> or <c>Unchanged</c>.
/// </summary>
public static class TrackingNames
{
    /// <summary>One <c>ContractModel</c> per <c>[MicroService]</c> interface.</summary>
    public const string Contract = nameof(Contract);

    /// <summary>The codec types of one <c>[MicroEvent]</c> type.</summary>
    public const string Event = nameof(Event);

    /// <summary>The shared model: every contract's registration and every codec type, de-duplicated and sorted.</summary>
    public const string Shared = nameof(Shared);
}
