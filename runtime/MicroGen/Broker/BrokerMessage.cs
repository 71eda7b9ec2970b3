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

    /// <summary>The encoded event. In a handler, valid only until the handler's task completes.</summary>
    public required ReadOnlyMemory<byte> Body { get; init; }

    /// <summary>The publishing service's name, when known.</summary>
    public string? Publisher { get; init; }

    /// <summary>When the message was published.</summary>
    public DateTimeOffset Timestamp { get; init; }

    /// <summary>User headers from the publisher's <see cref="MicroContext"/>.</summary>
    public Metadata? Headers { get; init; }

    /// <summary>How many times this message was delivered to this subscriber before (0 on first delivery).</summary>
    public int Redelivered { get; init; }

    /// <summary>The queue group it was delivered through, on the subscriber side; null for a plain subscriber.</summary>
    public string? Queue { get; init; }

    /// <summary>A new message id: 32 lowercase hex digits.</summary>
    public static string NewId() => Guid.NewGuid().ToString("N");

    /// <summary>A copy of this message with <see cref="Redelivered"/> and <see cref="Queue"/> set, as handed to a subscriber.</summary>
    internal BrokerMessage ForSubscriber(string? queue, int redelivered) =>
        queue == Queue && redelivered == Redelivered ? this : new BrokerMessage
        {
            Id = Id,
            Topic = Topic,
            ContentType = ContentType,
            Body = Body,
            Publisher = Publisher,
            Timestamp = Timestamp,
            Headers = Headers,
            Redelivered = redelivered,
            Queue = queue,
        };
}
