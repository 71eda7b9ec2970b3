using System;
using System.Threading;
using System.Threading.Tasks;

namespace MicroGen.Broker;

/// <summary>
/// go-micro's broker: asynchronous publish/subscribe of encoded events, with acknowledgement,
/// redelivery and queue groups in the contract so that every broker (in-memory, embedded, NATS,
/// Redis) offers the same shape.
/// </summary>
/// <remarks>
/// <para><b>Acknowledgement.</b> A <see cref="BrokerHandler"/> that returns acknowledges its
/// message; one that throws rejects it. A rejected message is redelivered to the subscriber up to
/// <see cref="SubscribeOptions.MaxRedeliveries"/> times (with <see cref="BrokerMessage.Redelivered"/>
/// counting), then reported as failed, as the broker's guarantees say.</para>
/// <para><b>Queue groups.</b> Subscribers sharing a <see cref="SubscribeOptions.Queue"/> on a
/// topic share its messages, each message to one of them; subscribers with no queue each get
/// every message.</para>
/// <para><b>Publish.</b> <see cref="PublishAsync"/> completes when the broker has done what its
/// guarantees promise: the in-memory and embedded brokers wait until every required delivery
/// was acknowledged; a broker on an engine waits until the engine took the message. Either way
/// the <see cref="PublishResult"/> says what is known, and a failure throws
/// <see cref="PublishException"/> naming what was not delivered. See <c>docs/PUBSUB.md</c>.</para>
/// <para>Implementations are thread-safe.</para>
/// </remarks>
public interface IBroker : IAsyncDisposable
{
    /// <summary>The broker's name, for example <c>memory</c>, <c>embedded</c>, <c>nats</c> or <c>redis</c>.</summary>
    string Name { get; }

    /// <summary>The broker's address: the engine's URL, or where this process receives deliveries; null before connecting.</summary>
    string? Address { get; }

    /// <summary>Connects to the broker's engine, or starts receiving, if the broker needs to. Idempotent.</summary>
    ValueTask ConnectAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// Publishes <paramref name="message"/> on its <see cref="BrokerMessage.Topic"/>. Completes when
    /// the broker has taken responsibility for it as its guarantees say.
    /// </summary>
    /// <returns>What the broker knows of the deliveries.</returns>
    /// <exception cref="PublishException">
    /// A required delivery failed (the exception's <see cref="PublishException.Result"/> names which
    /// and why), or the topic has no subscriber and <see cref="PublishOptions.AllowNoSubscribers"/>
    /// is not set (code 404).
    /// </exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> fired; deliveries already made stay made.</exception>
    ValueTask<PublishResult> PublishAsync(BrokerMessage message, PublishOptions? options = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// Subscribes <paramref name="handler"/> to <paramref name="topic"/> until the returned
    /// subscription is disposed. The subscription is active (publishers see it) when the task completes.
    /// </summary>
    ValueTask<ISubscription> SubscribeAsync(string topic, BrokerHandler handler, SubscribeOptions? options = null, CancellationToken cancellationToken = default);
}

/// <summary>
/// Handles one delivered message. Returning acknowledges it; throwing rejects it.
/// <see cref="BrokerMessage.Body"/> is valid only until the returned task completes.
/// </summary>
public delegate ValueTask BrokerHandler(BrokerMessage message, CancellationToken cancellationToken);

/// <summary>An active subscription; dispose it to unsubscribe (in-flight handlers finish first).</summary>
public interface ISubscription : IAsyncDisposable
{
    /// <summary>A unique id of this subscription.</summary>
    string Id { get; }

    /// <summary>The topic subscribed to.</summary>
    string Topic { get; }

    /// <summary>The queue group, or null when every message comes to this subscriber.</summary>
    string? Queue { get; }
}
