using System;

namespace MicroGen.Broker;

/// <summary>An encoded event with its envelope: id, topic, publisher, time, content type and headers.</summary>
public sealed class BrokerMessage
{
    /// <summary>A unique message id, for de-duplication and logs.</summary>
    public required string Id { get; init; }

    /// <summary>The topic published on.</summary>
    public required string Topic { get; init; }

    /// <summary>The body's content type, which names the codec.</summary>
    public required string ContentType { get; init; }

    /// <summary>The encoded event.</summary>
    public required ReadOnlyMemory<byte> Body { get; init; }

    /// <summary>The publishing service's name, when known.</summary>
    public string? Publisher { get; init; }

    /// <summary>When the message was published.</summary>
    public DateTimeOffset Timestamp { get; init; }

    /// <summary>User headers from the publisher's <see cref="MicroContext"/>.</summary>
    public Metadata? Headers { get; init; }

    /// <summary>How many times this message was delivered before (0 on first delivery).</summary>
    public int Redelivered { get; init; }
}
