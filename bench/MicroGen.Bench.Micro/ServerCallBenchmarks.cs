using System;
using System.Buffers;
using System.Threading;
using System.Threading.Tasks;
using BenchmarkDotNet.Attributes;
using MicroGen.Codec;
using MicroGen.Server;
using MicroGen.Transport;

namespace MicroGen.Bench.Micro;

/// <summary>
/// One unary call through the server as a transport hands it over: routing, the pooled call state,
/// the call's cancellation (caller's token, deadline, server stop), decoding the request, the
/// generated dispatcher, the handler, encoding the reply and giving the state back. No socket, so
/// this is the server's own per-call CPU and allocation, which the load harness cannot separate
/// from the thread pool's and the kernel's.
/// </summary>
[MemoryDiagnoser]
public class ServerCallBenchmarks
{
    private readonly CancellationTokenSource _caller = new();
    private ITransportHandler _server = null!;
    private TransportRequest _request;

    [GlobalSetup]
    public void Setup()
    {
        var server = new MicroServer(new ServerOptions { Transport = new InMemoryTransport() });
        server.Handle<IHello>(new HelloHandler());
        _server = server;
        var body = new ArrayBufferWriter<byte>();
        MessagePackCodec.Instance.Serialize(body, new HelloRequest { Name = "world" });
        _request = new TransportRequest
        {
            Service = "hello",
            Endpoint = "Hello.SayHello",
            ContentType = MessagePackCodec.Instance.ContentType,
            Timeout = TimeSpan.FromSeconds(5),
            Body = new ReadOnlySequence<byte>(body.WrittenMemory),
        };
        using var response = SayHello().GetAwaiter().GetResult();
        var reply = MessagePackCodec.Instance.Deserialize<HelloReply>(response.Body);
        if (response.Error is not null || reply.Message != "Hello world")
        {
            throw new InvalidOperationException($"the server answered {response.Error?.Detail ?? reply.Message}");
        }
    }

    [Benchmark(Description = "unary call through MicroServer (msgpack, 5 s deadline)")]
    public void UnaryCall()
    {
        var response = SayHello().GetAwaiter().GetResult();
        response.Dispose();
    }

    private ValueTask<TransportResponse> SayHello() => _server.HandleAsync(_request, _caller.Token);
}
