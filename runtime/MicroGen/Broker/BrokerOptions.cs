using System;

namespace MicroGen.Broker;

/// <summary>Options of one publish. Immutable; derive variants with <c>with</c>.</summary>
public sealed record PublishOptions
{
    /// <summary>No overrides.</summary>
    public static PublishOptions Default { get; } = new();

    /// <summary>
    /// How long to wait for the broker to take the message: for the in-memory and embedded brokers,
    /// how long each delivery may take to be acknowledged. Null uses the broker's default.
    /// </summary>
    public TimeSpan? Timeout { get; init; }

    /// <summary>
    /// The content type to encode a typed event in (for example <c>application/json</c>). Null picks
    /// <c>application/protobuf</c> for Google.Protobuf messages and <c>application/msgpack</c> otherwise.
    /// </summary>
    public string? ContentType { get; init; }

    /// <summary>
    /// The message id of a typed publish. Defaults to a new one; set it to re-publish the same event
    /// after a failure, so that subscribers that already handled it can recognise it.
    /// </summary>
    public string? MessageId { get; init; }

    /// <summary>Headers sent with the event in addition to the ambient <see cref="MicroContext"/>'s.</summary>
    public Metadata? Metadata { get; init; }

    /// <summary>
    /// Whether publishing to a topic nobody subscribes to succeeds (with an empty
    /// <see cref="PublishResult.Deliveries"/>). Defaults to false: the publish throws
    /// <see cref="PublishException"/> with code 404, so no message is dropped silently.
    /// </summary>
    public bool AllowNoSubscribers { get; init; }
}

/// <summary>Options of one subscription. Immutable; derive variants with <c>with</c>.</summary>
public sealed record SubscribeOptions
{
    /// <summary>The default first wait before a rejected message is redelivered: 100 ms, doubled each time.</summary>
    public static readonly TimeSpan DefaultRedeliveryDelay = TimeSpan.FromMilliseconds(100);

    /// <summary>No queue group: this subscriber gets every message.</summary>
    public static SubscribeOptions Default { get; } = new();

    /// <summary>The queue group: subscribers with the same queue share messages, each to one of them.</summary>
    public string? Queue { get; init; }

    /// <summary>How many messages the handler may process at once. Defaults to 1, which keeps each publisher's order.</summary>
    public int MaxConcurrency { get; init; } = 1;

    /// <summary>
    /// How many times a rejected message (the handler threw) is redelivered to this subscriber before
    /// the broker reports it as failed. Defaults to 0: a failure is reported to the publisher at once.
    /// </summary>
    public int MaxRedeliveries { get; init; }

    /// <summary>The wait before the first redelivery, doubled for each next one (at most 5 s). Defaults to <see cref="DefaultRedeliveryDelay"/>.</summary>
    public TimeSpan RedeliveryDelay { get; init; } = DefaultRedeliveryDelay;
}
