using System;
using Microsoft.Extensions.Logging;

namespace MicroGen.Broker;

internal static partial class BrokerLog
{
    [LoggerMessage(EventId = 101, EventName = "HandlerFailed", Level = LogLevel.Error,
        Message = "Handler of subscription {SubscriptionId} on '{Topic}' failed for message {MessageId} (delivery {Delivery} of {MaxDeliveries})")]
    public static partial void HandlerFailed(ILogger logger, string subscriptionId, string topic, string messageId, int delivery, int maxDeliveries, Exception exception);

    [LoggerMessage(EventId = 102, EventName = "DeliveryRetrying", Level = LogLevel.Debug,
        Message = "Delivery of message {MessageId} on '{Topic}' to {Target} failed (attempt {Attempt}): {Reason}; retrying")]
    public static partial void DeliveryRetrying(ILogger logger, string messageId, string topic, string target, int attempt, string reason);

    [LoggerMessage(EventId = 103, EventName = "PublishFailed", Level = LogLevel.Warning,
        Message = "Publish incomplete: {Result}")]
    public static partial void PublishFailed(ILogger logger, PublishResult result);

    [LoggerMessage(EventId = 104, EventName = "Subscribed", Level = LogLevel.Information,
        Message = "Subscription {SubscriptionId} on '{Topic}' (queue {Queue}) receiving at {Address}")]
    public static partial void Subscribed(ILogger logger, string subscriptionId, string topic, string? queue, string address);

    [LoggerMessage(EventId = 105, EventName = "HeartbeatFailed", Level = LogLevel.Warning,
        Message = "Re-registering broker subscriptions failed; retrying on the next interval")]
    public static partial void HeartbeatFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 106, EventName = "DeregisterFailed", Level = LogLevel.Warning,
        Message = "Deregistering subscription {SubscriptionId} on '{Topic}' failed; the entry expires after its TTL")]
    public static partial void DeregisterFailed(ILogger logger, string subscriptionId, string topic, Exception exception);

    [LoggerMessage(EventId = 107, EventName = "WatchFailed", Level = LogLevel.Debug,
        Message = "Watching the registry for broker subscribers failed; lookups fall back to the cache TTL")]
    public static partial void WatchFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 108, EventName = "DrainTimedOut", Level = LogLevel.Warning,
        Message = "Unsubscribing {SubscriptionId} on '{Topic}': {InFlight} handler(s) still running after the drain timeout are cancelled")]
    public static partial void DrainTimedOut(ILogger logger, string subscriptionId, string topic, int inFlight);
}
