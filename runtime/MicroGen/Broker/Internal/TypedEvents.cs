using System;
using System.Buffers;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using Google.Protobuf;
using MicroGen.Codec;

namespace MicroGen.Broker.Internal;

/// <summary>
/// The typed side of pub/sub: which codec a <typeparamref name="T"/> event travels in, and the
/// <see cref="BrokerHandler"/> that decodes it with the generated routines and runs a typed handler
/// inside an event <see cref="MicroContext"/>. No reflection: the codec routines are found through
/// their static per-type registrations.
/// </summary>
internal static class TypedEvents<T>
{
    /// <summary>Protobuf for Google.Protobuf messages, MessagePack for everything else, as for calls.</summary>
    public static readonly string DefaultContentType =
        typeof(IMessage).IsAssignableFrom(typeof(T)) ? ContentTypes.Protobuf : ContentTypes.MessagePack;

    public static BrokerHandler CreateHandler(Func<T, CancellationToken, Task> handler, IReadOnlyDictionary<string, ICodec> codecs)
    {
        ArgumentNullException.ThrowIfNull(handler);
        return async (message, cancellationToken) =>
        {
            if (!codecs.TryGetValue(message.ContentType, out var codec))
            {
                throw new MicroException(BrokerIds.Broker, MicroStatusCode.UnsupportedMediaType,
                    $"the subscriber has no codec for content type '{message.ContentType}'");
            }
            var value = codec.Deserialize<T>(new ReadOnlySequence<byte>(message.Body));
            using var scope = MicroContext.Begin(new MicroContext(message, cancellationToken));
            await handler(value, cancellationToken).ConfigureAwait(false);
        };
    }
}

/// <summary>Codec lookup by content type, shared by the client and the service.</summary>
internal static class Codecs
{
    public static Dictionary<string, ICodec> ByContentType(IEnumerable<ICodec> codecs)
    {
        var map = new Dictionary<string, ICodec>(StringComparer.OrdinalIgnoreCase);
        foreach (var codec in codecs)
        {
            map[codec.ContentType] = codec;
        }
        return map;
    }
}
