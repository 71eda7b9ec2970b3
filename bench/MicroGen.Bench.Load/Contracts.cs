using System.Collections.Generic;
using System.Runtime.CompilerServices;
using System.Threading;
using System.Threading.Tasks;
using MicroGen.Bench.Load.Protos;

namespace MicroGen.Bench.Load;

/// <summary>The benchmark service with MessagePack DTOs (MicroGen's default codec for ordinary types).</summary>
[MicroService("bench-msgpack", Version = "1.0.0")]
public interface IHelloMsgPack
{
    Task<HelloReplyDto> SayHello(HelloRequestDto request, CancellationToken cancellationToken = default);

    /// <summary>Server streaming: <c>Count</c> replies of <c>"Hello " + Name</c>.</summary>
    IAsyncEnumerable<HelloReplyDto> StreamHello(StreamRequestDto request, CancellationToken cancellationToken = default);
}

/// <summary>The benchmark service with the protobuf messages of <c>Protos/bench.proto</c> (MicroGen's protobuf codec).</summary>
[MicroService("bench-protobuf", Version = "1.0.0")]
public interface IHelloProtobuf
{
    Task<HelloReply> SayHello(HelloRequest request, CancellationToken cancellationToken = default);

    /// <summary>Server streaming: <c>Count</c> replies of <c>"Hello " + Name</c>.</summary>
    IAsyncEnumerable<HelloReply> StreamHello(StreamRequest request, CancellationToken cancellationToken = default);
}

public sealed record HelloRequestDto
{
    public required string Name { get; init; }
}

public sealed record HelloReplyDto
{
    public required string Message { get; init; }
}

public sealed record StreamRequestDto
{
    public required string Name { get; init; }
    public required int Count { get; init; }
}

/// <summary>The handlers: exactly the work grpc-dotnet's handler does.</summary>
public sealed class HelloMsgPackHandler : IHelloMsgPack
{
    public Task<HelloReplyDto> SayHello(HelloRequestDto request, CancellationToken cancellationToken = default) =>
        Task.FromResult(new HelloReplyDto { Message = "Hello " + request.Name });

    public async IAsyncEnumerable<HelloReplyDto> StreamHello(StreamRequestDto request, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await Task.CompletedTask.ConfigureAwait(false);
        var reply = new HelloReplyDto { Message = "Hello " + request.Name };
        for (var i = 0; i < request.Count; i++)
        {
            yield return reply;
        }
    }
}

public sealed class HelloProtobufHandler : IHelloProtobuf
{
    public Task<HelloReply> SayHello(HelloRequest request, CancellationToken cancellationToken = default) =>
        Task.FromResult(new HelloReply { Message = "Hello " + request.Name });

    public async IAsyncEnumerable<HelloReply> StreamHello(StreamRequest request, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await Task.CompletedTask.ConfigureAwait(false);
        var reply = new HelloReply { Message = "Hello " + request.Name };
        for (var i = 0; i < request.Count; i++)
        {
            yield return reply;
        }
    }
}
