namespace MicroGen.Broker.Internal;

/// <summary>
/// The headers the embedded broker adds to a delivery request, beside the user's. The transport
/// request itself carries the rest of the envelope: <c>Micro-Id</c> is the message id,
/// <c>Micro-Endpoint</c> the topic, <c>Content-Type</c> the codec.
/// </summary>
internal static class Envelope
{
    /// <summary>The <c>Micro-Service</c> of delivery requests.</summary>
    public const string Service = "microgen.broker";

    /// <summary>The subscription the delivery is for: a node may host many.</summary>
    public const string Subscription = "Micro-Subscription";

    /// <summary>The publishing service's name.</summary>
    public const string Publisher = "Micro-Publisher";

    /// <summary>The publish time, Unix milliseconds.</summary>
    public const string Timestamp = "Micro-Timestamp";

    /// <summary>How many earlier attempts may have reached the handler (absent when none).</summary>
    public const string Redelivered = "Micro-Redelivered";

    public static bool IsReserved(string key) =>
        key.Equals(Subscription, System.StringComparison.OrdinalIgnoreCase)
        || key.Equals(Publisher, System.StringComparison.OrdinalIgnoreCase)
        || key.Equals(Timestamp, System.StringComparison.OrdinalIgnoreCase)
        || key.Equals(Redelivered, System.StringComparison.OrdinalIgnoreCase);
}
