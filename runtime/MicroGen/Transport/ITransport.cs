using System;
using System.Threading;
using System.Threading.Tasks;

namespace MicroGen.Transport;

/// <summary>
/// go-micro's transport: how calls travel between a client and a server. A server listens with a
/// handler; a client dials an address and gets a connection that many concurrent calls share.
/// </summary>
/// <remarks>
/// Implementations: <see cref="InMemoryTransport"/> (in-process) and the TCP transport. A
/// transport is thread-safe; one instance may serve a listener and many connections at once.
/// </remarks>
public interface ITransport : IAsyncDisposable
{
    /// <summary>The transport's name, for example <c>tcp</c> or <c>memory</c>.</summary>
    string Name { get; }

    /// <summary>
    /// Starts listening on <paramref name="address"/> (<c>host:port</c>; port 0 picks a free one)
    /// and passes every incoming call to <paramref name="handler"/>.
    /// </summary>
    ValueTask<ITransportListener> ListenAsync(string address, ITransportHandler handler, CancellationToken cancellationToken = default);

    /// <summary>Connects to a listener at <paramref name="address"/>.</summary>
    /// <exception cref="TransportException">The address could not be reached; <see cref="TransportException.NotProcessed"/> is true.</exception>
    ValueTask<ITransportConnection> DialAsync(string address, CancellationToken cancellationToken = default);
}

/// <summary>A listening endpoint of a transport.</summary>
public interface ITransportListener : IAsyncDisposable
{
    /// <summary>The address actually bound, with the port filled in, for example <c>127.0.0.1:52311</c>.</summary>
    string Address { get; }

    /// <summary>
    /// Begins a graceful stop: accepts no new connections and tells connected peers to start no new
    /// calls (a call that races with this is refused as not processed, so the caller can retry it
    /// elsewhere). Calls already in flight continue; <see cref="IAsyncDisposable.DisposeAsync"/>
    /// then closes every connection.
    /// </summary>
    ValueTask DrainAsync(CancellationToken cancellationToken = default);
}

/// <summary>One client connection to a listener, shared by many concurrent calls.</summary>
public interface ITransportConnection : IAsyncDisposable
{
    /// <summary>The address dialled.</summary>
    string RemoteAddress { get; }

    /// <summary>
    /// Whether the connection can take new calls. False once it dropped, was disposed, or the peer
    /// said it is going away; the client then dials again.
    /// </summary>
    bool IsAvailable { get; }

    /// <summary>
    /// Sends a unary request and waits for its response. Cancelling <paramref name="cancellationToken"/>
    /// tells the server to cancel the handler and completes the returned task as cancelled.
    /// </summary>
    /// <remarks>The caller owns the returned response and must dispose it.</remarks>
    /// <exception cref="TransportException">The call could not be completed.</exception>
    ValueTask<TransportResponse> InvokeAsync(TransportRequest request, CancellationToken cancellationToken = default);

    /// <summary>
    /// Opens a streaming call: <paramref name="request"/> carries the headers and the encoded
    /// leading arguments; messages then flow both ways on the returned stream. Cancelling
    /// <paramref name="cancellationToken"/> or disposing the stream early cancels the call on the server.
    /// </summary>
    /// <exception cref="TransportException">The call could not be started.</exception>
    ValueTask<ITransportStream> OpenStreamAsync(TransportRequest request, CancellationToken cancellationToken = default) =>
        throw new TransportException($"this transport ({GetType().Name}) does not carry streaming calls", notProcessed: true);
}

/// <summary>What a listener passes incoming calls to: the server.</summary>
public interface ITransportHandler
{
    /// <summary>
    /// Handles one unary request. <paramref name="cancellationToken"/> fires when the caller cancels
    /// or the connection drops. <see cref="TransportRequest.Body"/> stays valid until the returned
    /// task completes. The transport disposes the returned response after sending it.
    /// </summary>
    ValueTask<TransportResponse> HandleAsync(TransportRequest request, CancellationToken cancellationToken);

    /// <summary>
    /// Handles one streaming call: reads the caller's messages from and writes replies to
    /// <paramref name="stream"/>, then completes it. <paramref name="cancellationToken"/> fires when
    /// the caller cancels or the connection drops. The transport disposes the stream afterwards.
    /// </summary>
    /// <remarks>The default answers 501: a handler that serves only unary calls need not implement it.</remarks>
    ValueTask HandleStreamAsync(TransportRequest request, ITransportStream stream, CancellationToken cancellationToken) =>
        stream.CompleteAsync(MicroError.Create("microgen.server", MicroStatusCode.NotImplemented, "streaming calls are not served here"), null, cancellationToken);
}
