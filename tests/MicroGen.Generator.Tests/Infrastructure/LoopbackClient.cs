using System;
using System.Buffers;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using MicroGen.Client;
using MicroGen.Codec;
using MicroGen.Server;

namespace MicroGen.Generator.Tests.Infrastructure;

/// <summary>
/// An <see cref="IClient"/> that sends each call straight into a generated dispatcher, encoding the
/// request and the reply with a real codec on the way, so a test exercises proxy, descriptor,
/// dispatcher and codec routines together without a transport.
/// </summary>
internal sealed class LoopbackClient : IClient
{
    private readonly IServiceDispatcher _dispatcher;
    private readonly ICodec _codec;

    public LoopbackClient(IServiceDispatcher dispatcher, ICodec codec)
    {
        _dispatcher = dispatcher;
        _codec = codec;
    }

    /// <summary>The endpoints called, in order.</summary>
    public List<MethodDescriptor> Calls { get; } = new();

    /// <summary>The options passed with each call, in order.</summary>
    public List<CallOptions?> Options_ { get; } = new();

    /// <summary>The cancellation token passed with each call, in order.</summary>
    public List<CancellationToken> Tokens { get; } = new();

    public ClientOptions Options { get; } = new();

    public async ValueTask<TResponse> CallAsync<TRequest, TResponse>(Method<TRequest, TResponse> method, TRequest request, CallOptions? options = null, CancellationToken cancellationToken = default)
    {
        Calls.Add(method);
        Options_.Add(options);
        Tokens.Add(cancellationToken);
        var body = new ArrayBufferWriter<byte>();
        _codec.Serialize(body, request);
        var call = new LoopbackServerCall(method.Endpoint, body.WrittenMemory, _codec, cancellationToken);
        await _dispatcher.DispatchAsync(call).ConfigureAwait(false);
        return _codec.Deserialize<TResponse>(new ReadOnlySequence<byte>(call.Response.WrittenMemory));
    }

    public TService For<TService>(CallOptions? options = null) where TService : class =>
        ServiceContracts.Get<TService>().CreateClient(this, options);

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    // Streaming shapes are exercised end to end through MicroClient/MicroServer, not through this loopback.
    public IAsyncEnumerable<TResponse> ServerStreamAsync<TRequest, TResponse>(Method<TRequest, TResponse> method, TRequest request, CallOptions? options = null, CancellationToken cancellationToken = default) =>
        throw new NotSupportedException("the loopback client carries unary calls only");

    public ValueTask<TResponse> ClientStreamAsync<TRequest, TItem, TResponse>(Method<TRequest, TResponse> method, TRequest request, IAsyncEnumerable<TItem> items, CallOptions? options = null, CancellationToken cancellationToken = default) =>
        throw new NotSupportedException("the loopback client carries unary calls only");

    public IAsyncEnumerable<TResponse> DuplexStreamAsync<TRequest, TItem, TResponse>(Method<TRequest, TResponse> method, TRequest request, IAsyncEnumerable<TItem> items, CallOptions? options = null, CancellationToken cancellationToken = default) =>
        throw new NotSupportedException("the loopback client carries unary calls only");

    public ValueTask<MicroGen.Transport.ITransportStream> StreamAsync(string service, string endpoint, string contentType, ReadOnlyMemory<byte> request, CallOptions? options = null, CancellationToken cancellationToken = default) =>
        throw new NotSupportedException("the loopback client carries unary calls only");

    private sealed class LoopbackServerCall(string endpoint, ReadOnlyMemory<byte> body, ICodec codec, CancellationToken cancellationToken) : ServerCall
    {
        public ArrayBufferWriter<byte> Response { get; } = new();

        public override string Endpoint => endpoint;

        public override CancellationToken CancellationToken => cancellationToken;

        public override MicroContext Context { get; } = new();

        public override TRequest ReadRequest<TRequest>() => codec.Deserialize<TRequest>(new ReadOnlySequence<byte>(body));

        public override void WriteResponse<TResponse>(TResponse response) => codec.Serialize(Response, response);
    }
}
