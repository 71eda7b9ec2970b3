using System;
using System.Collections.Generic;
using System.Text;

namespace MicroGen.Broker;

/// <summary>
/// What a publish achieved. <see cref="IBroker.PublishAsync"/> returns it when every required
/// delivery succeeded; <see cref="PublishException.Result"/> carries it when one did not.
/// </summary>
/// <remarks>
/// Brokers that deliver themselves (in-memory, embedded) know every delivery, one per plain
/// subscriber and one per queue group, and set <see cref="DeliveriesKnown"/>. Brokers on an engine
/// (NATS, Redis) only know that the engine took the message: <see cref="Deliveries"/> is then empty
/// and <see cref="DeliveriesKnown"/> false.
/// </remarks>
public sealed class PublishResult
{
    /// <summary>Creates a result.</summary>
    public PublishResult(string messageId, string topic, IReadOnlyList<DeliveryReport> deliveries, bool deliveriesKnown = true)
    {
        MessageId = messageId ?? throw new ArgumentNullException(nameof(messageId));
        Topic = topic ?? throw new ArgumentNullException(nameof(topic));
        Deliveries = deliveries ?? throw new ArgumentNullException(nameof(deliveries));
        DeliveriesKnown = deliveriesKnown;
    }

    /// <summary>The id of the message published.</summary>
    public string MessageId { get; }

    /// <summary>The topic published on.</summary>
    public string Topic { get; }

    /// <summary>One report per target: each plain subscriber, and each queue group.</summary>
    public IReadOnlyList<DeliveryReport> Deliveries { get; }

    /// <summary>Whether the broker knows the deliveries (true for in-memory and embedded brokers).</summary>
    public bool DeliveriesKnown { get; }

    /// <summary>
    /// Whether the broker knows that nobody subscribed to the topic: no target, or every target
    /// unsubscribed before its delivery.
    /// </summary>
    public bool NoSubscribers
    {
        get
        {
            if (!DeliveriesKnown)
            {
                return false;
            }
            foreach (var d in Deliveries)
            {
                if (d.Outcome != DeliveryOutcome.Unsubscribed)
                {
                    return false;
                }
            }
            return true;
        }
    }

    /// <summary>How many targets acknowledged the message.</summary>
    public int Delivered
    {
        get
        {
            var n = 0;
            foreach (var d in Deliveries)
            {
                n += d.Succeeded ? 1 : 0;
            }
            return n;
        }
    }

    /// <summary>Whether no delivery failed: every target acknowledged or unsubscribed before its delivery.</summary>
    public bool Succeeded
    {
        get
        {
            foreach (var d in Deliveries)
            {
                if (d.Outcome == DeliveryOutcome.Failed)
                {
                    return false;
                }
            }
            return true;
        }
    }

    /// <inheritdoc/>
    public override string ToString()
    {
        var text = new StringBuilder();
        text.Append("message ").Append(MessageId).Append(" on '").Append(Topic).Append('\'');
        if (!DeliveriesKnown)
        {
            return text.Append(": accepted by the broker").ToString();
        }
        if (Deliveries.Count == 0)
        {
            return text.Append(": no subscriber").ToString();
        }
        text.Append(": ");
        for (var i = 0; i < Deliveries.Count; i++)
        {
            text.Append(i == 0 ? string.Empty : "; ").Append(Deliveries[i]);
        }
        return text.ToString();
    }
}

/// <summary>How a delivery to one target ended.</summary>
public enum DeliveryOutcome
{
    /// <summary>The subscriber's handler acknowledged the message.</summary>
    Delivered,

    /// <summary>
    /// The subscriber (or every member of the queue group) unsubscribed between the lookup and the
    /// delivery: it no longer wants the message, so this is not a failure.
    /// </summary>
    Unsubscribed,

    /// <summary>The message was not acknowledged: the handler failed, or the subscriber could not be reached. See <see cref="DeliveryReport.Error"/>.</summary>
    Failed,
}

/// <summary>The delivery of one message to one target: a plain subscriber or a queue group.</summary>
/// <param name="Subscriber">The subscriber that took (or last refused) the message: a subscription id, with the node for remote ones.</param>
/// <param name="Queue">The queue group, or null for a plain subscriber.</param>
/// <param name="Outcome">How it ended.</param>
/// <param name="Attempts">How many delivery attempts were made (transport retries and queue-group fail-over included).</param>
/// <param name="Error">Why it failed, when it did.</param>
public sealed record DeliveryReport(string Subscriber, string? Queue, DeliveryOutcome Outcome, int Attempts, MicroError? Error = null)
{
    /// <summary>Whether the target acknowledged the message.</summary>
    public bool Succeeded => Outcome == DeliveryOutcome.Delivered;

    /// <inheritdoc/>
    public override string ToString()
    {
        var target = Queue is null ? $"subscriber {Subscriber}" : $"queue group '{Queue}' (last tried {Subscriber})";
        return Outcome switch
        {
            DeliveryOutcome.Delivered => Queue is null ? $"{target}: delivered" : $"queue group '{Queue}': delivered to {Subscriber}",
            DeliveryOutcome.Unsubscribed => $"{target}: unsubscribed before delivery",
            _ => $"{target}: NOT delivered after {Attempts} attempt(s): {Error?.Code} {Error?.Detail}",
        };
    }
}
