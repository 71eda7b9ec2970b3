using System;

namespace MicroGen.Broker;

/// <summary>
/// The envelope of the event being handled, read in a subscriber's handler through
/// <c>MicroContext.Current.Event</c>; its user headers are <see cref="MicroContext.Metadata"/>.
/// </summary>
/// <param name="Id">The message id, unique per publish: de-duplicate on it when redelivery matters.</param>
/// <param name="Topic">The topic it was published on.</param>
/// <param name="Publisher">The publishing service's name, when it has one.</param>
/// <param name="Timestamp">When it was published, by the publisher's clock.</param>
/// <param name="ContentType">The content type it travelled in, which named the codec.</param>
/// <param name="Queue">The queue group it was delivered through, or null for a plain subscriber.</param>
/// <param name="Redelivered">How many times it was delivered to this subscriber before (0 the first time).</param>
public sealed record EventInfo(string Id, string Topic, string? Publisher, DateTimeOffset Timestamp, string ContentType, string? Queue, int Redelivered)
{
    internal static EventInfo From(BrokerMessage message) =>
        new(message.Id, message.Topic, message.Publisher, message.Timestamp, message.ContentType, message.Queue, message.Redelivered);
}
