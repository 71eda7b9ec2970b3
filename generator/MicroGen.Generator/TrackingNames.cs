namespace MicroGen.Generator;

/// <summary>
/// Names given to the generator's incremental steps with <c>WithTrackingName</c>, so that tests can
/// assert that an unrelated edit leaves them <c>Cached</c> or <c>Unchanged</c>.
/// </summary>
public static class TrackingNames
{
    /// <summary>
    /// The declaration snapshot of the compilation: Unchanged after an edit that cannot change a
    /// declaration (a method body, a comment), which leaves every step after it Cached.
    /// </summary>
    public const string Declarations = nameof(Declarations);

    /// <summary>Every contract and event of the compilation, parsed into models.</summary>
    public const string Parse = nameof(Parse);

    /// <summary>One <c>ContractModel</c> per <c>[MicroService]</c> interface.</summary>
    public const string Contract = nameof(Contract);

    /// <summary>The codec types of one <c>[MicroEvent]</c> type.</summary>
    public const string Event = nameof(Event);

    /// <summary>The shared model: every contract's registration and every codec type, de-duplicated and sorted.</summary>
    public const string Shared = nameof(Shared);
}
