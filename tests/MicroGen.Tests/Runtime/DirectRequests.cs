using System;
using System.Buffers;
using MicroGen.Client;
using MicroGen.Codec;
using MicroGen.Transport;

namespace MicroGen.Tests.Runtime;

/// <summary>Unary requests as a transport hands them to a server, for tests that call <see cref="ITransportHandler"/> directly.</summary>
internal static class DirectRequests
{
    /// <summary>A MessagePack request for <paramref name="method"/> carrying <paramref name="value"/>.</summary>
    public static TransportRequest Create<T>(MethodDescriptor method, T value, TimeSpan timeout, Metadata? metadata = null)
    {
        var body = new ArrayBufferWriter<byte>();
        MessagePackCodec.Instance.Serialize(body, value);
        return new TransportRequest
        {
            Service = method.Service,
            Endpoint = method.Endpoint,
            ContentType = MessagePackCodec.Instance.ContentType,
            Timeout = timeout,
            Metadata = metadata,
            Body = new ReadOnlySequence<byte>(body.WrittenMemory),
        };
    }
}
