using System;
using System.Linq;

namespace MicroGen.Broker;

/// <summary>
/// A publish did not achieve what the broker guarantees: a required delivery failed (code 500 when
/// a handler failed, 503 when a subscriber could not be reached, 408 when one did not acknowledge in
/// time), or the topic has no subscriber (code 404). The message names every target not delivered to.
/// </summary>
public sealed class PublishException : MicroException
{
    /// <summary>Creates the exception.</summary>
    public PublishException(MicroError error, PublishResult result, Exception? innerException = null)
        : base(error, innerException) => Result = result ?? throw new ArgumentNullException(nameof(result));

    /// <summary>Every delivery, those that succeeded included.</summary>
    public PublishResult Result { get; }

    /// <summary>The exception for <paramref name="result"/>, which has a failure or no subscriber.</summary>
    internal static PublishException For(PublishResult result)
    {
        if (result.NoSubscribers)
        {
            return new PublishException(MicroError.Create(BrokerIds.Broker, MicroStatusCode.NotFound,
                $"message {result.MessageId} on '{result.Topic}' was not delivered: the topic has no subscriber"), result);
        }
        var failed = result.Deliveries.Where(static d => d.Outcome == DeliveryOutcome.Failed).ToList();
        // The code of the first failure, so a caller can tell "handler failed" (500) from "unreachable" (503).
        var code = failed.Count > 0 ? failed[0].Error?.Code ?? MicroStatusCode.ServiceUnavailable : MicroStatusCode.ServiceUnavailable;
        var detail = $"message {result.MessageId} on '{result.Topic}' was not delivered to {failed.Count} of {result.Deliveries.Count} target(s): "
            + string.Join("; ", failed.Select(static d => d.ToString()));
        return new PublishException(MicroError.Create(BrokerIds.Broker, code, detail), result);
    }
}

/// <summary>Error ids of the brokers.</summary>
internal static class BrokerIds
{
    public const string Broker = "microgen.broker";
}
