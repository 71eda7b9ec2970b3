using System;
using System.Threading;
using System.Threading.Tasks;

namespace MicroGen.Broker;

/// <summary>
/// go-micro's broker: asynchronous publish/subscribe of encoded events. Delivery is acknowledged:
/// a handler that returns acknowledges its message, one that throws rejects it and the broker
/// redelivers or reports the failure as its guarantees say. Subscribers sharing a queue name
/// share the messages (each to one of them); subscribers with no queue each get every message.
/// </summary>
public interface IBroker : IAsyncDisposable
{
    /// <summary>The broker's name, for example <c>memory</c>, <c>nats</c> or <c>redis</c>.</summary>
    string Name { get; }

    /// <summary>The broker's address, for example <c>nats://127.0.0.1:4222</c>, once connected.</summary>
    string? Address { get; }

    /// <summary>Connects to the broker's engine, if it has one. Idempotent.</summary>
    ValueTask ConnectAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// Publishes <paramref name="message"/> on <paramref name="topic"/>. Completes when the broker
    /// has taken responsibility for it as its guarantees say; fails with a clear error otherwise.
    /// </summary>
    ValueTask PublishAsync(string topic, BrokerMessage message, PublishOptions? options = null, CancellationToken cancellationToken = default);

    /// <summary>Subscribes <paramref name="handler"/> to <paramref name="topic"/> until the subscription is disposed.</summary>
    ValueTask<ISubscription> SubscribeAsync(string topic, BrokerHandler handler, SubscribeOptions? options = null, CancellationToken cancellationToken = default);
}

/// <summary>Handles one delivered message. Returning acknowledges it; throwing rejects it.</summary>
public delegate ValueTask BrokerHandler(BrokerMessage message, CancellationToken cancellationToken);

/// <summary>An active subscription; dispose it to unsubscribe.</summary>
public interface ISubscription : IAsyncDisposable
{
    /// <summary>The topic subscribed to.</summary>
    string Topic { get; }

    /// <summary>The queue group, or null when every message comes to this subscriber.</summary>
    string? Queue { get; }
}
