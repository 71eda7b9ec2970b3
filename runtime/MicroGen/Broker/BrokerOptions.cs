using System;

namespace MicroGen.Broker;

/// <summary>Options of one publish. Immutable; derive variants with <c>with</c>.</summary>
public sealed record PublishOptions
{
    /// <summary>No overrides.</summary>
    public static PublishOptions Default { get; } = new();

    /// <summary>How long to wait for the broker to take the message. Null uses the broker's default.</summary>
    public TimeSpan? Timeout { get; init; }
}

/// <summary>Options of one subscription. Immutable; derive variants with <c>with</c>.</summary>
public sealed record SubscribeOptions
{
    /// <summary>No queue group: this subscriber gets every message.</summary>
    public static SubscribeOptions Default { get; } = new();

    /// <summary>The queue group: subscribers with the same queue share messages, each to one of them.</summary>
    public string? Queue { get; init; }

    /// <summary>How many messages the handler may process at once. Defaults to 1, which keeps order.</summary>
    public int MaxConcurrency { get; init; } = 1;

    /// <summary>How many times a rejected message is redelivered before it is reported as failed. Defaults to 3.</summary>
    public int MaxRedeliveries { get; init; } = 3;
}
