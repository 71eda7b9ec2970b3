using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using MicroGen.Broker;

using MicroGen.Transport;

namespace MicroGen.Client;

/// <summary>
/// go-micro's client: makes calls to services, picking a node through the registry and selector,
/// with timeouts, retries and metadata. Generated proxies make unary calls through
/// <see cref="Method{TRequest, TResponse}.CallAsync"/>, which calls <see cref="CallAsync"/>, and
/// streaming calls through the stream methods.
/// </summary>
/// <remarks>Thread-safe; share one per process.</remarks>
public interface IClient : IAsyncDisposable
{
    /// <summary>The client's options.</summary>
    ClientOptions Options { get; }

    /// <summary>
    /// Calls <paramref name="method"/> with <paramref name="request"/> and returns its reply.
    /// </summary>
    /// <exception cref="MicroException">The call failed: the handler's error, a timeout (408), a service the registry does not know (404), no reachable node (503)…</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> fired; the remote handler is cancelled too.</exception>
    ValueTask<TResponse> CallAsync<TRequest, TResponse>(Method<TRequest, TResponse> method, TRequest request, CallOptions? options = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// Calls server-streaming <paramref name="method"/>: one request, then the replies as they arrive.
    /// Ending the enumeration early, or cancelling <paramref name="cancellationToken"/>, cancels the
    /// handler. A handler error arrives as <see cref="MicroException"/> after the items already sent.
    /// </summary>
    /// <remarks>A stream has no deadline unless <see cref="CallOptions.Timeout"/> sets one.</remarks>
    /// <exception cref="MicroException">The handler failed (its error, or 500), the deadline passed (408), no node could be reached (503).</exception>
    /// <exception cref="OperationCanceledException">
    /// <paramref name="cancellationToken"/> fired, or the handler cancelled the stream itself; then
    /// <see cref="Exception.InnerException"/> is the server's <see cref="MicroException"/> (499).
    /// </exception>
    IAsyncEnumerable<TResponse> ServerStreamAsync<TRequest, TResponse>(Method<TRequest, TResponse> method, TRequest request, CallOptions? options = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// Calls client-streaming <paramref name="method"/>: <paramref name="request"/> carries the leading
    /// arguments (or <see cref="Codec.Empty"/>), then <paramref name="items"/> are sent as they come,
    /// with flow control; returns the single reply.
    /// </summary>
    /// <exception cref="MicroException">As for <see cref="ServerStreamAsync"/>.</exception>
    /// <exception cref="OperationCanceledException">As for <see cref="ServerStreamAsync"/>: the caller or the handler cancelled the call.</exception>
    ValueTask<TResponse> ClientStreamAsync<TRequest, TItem, TResponse>(Method<TRequest, TResponse> method, TRequest request, IAsyncEnumerable<TItem> items, CallOptions? options = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// Calls duplex <paramref name="method"/>: <paramref name="items"/> are sent while the replies are
    /// read, each side at its own pace.
    /// </summary>
    /// <exception cref="MicroException">As for <see cref="ServerStreamAsync"/>.</exception>
    /// <exception cref="OperationCanceledException">As for <see cref="ServerStreamAsync"/>: the caller or the handler cancelled the call.</exception>
    IAsyncEnumerable<TResponse> DuplexStreamAsync<TRequest, TItem, TResponse>(Method<TRequest, TResponse> method, TRequest request, IAsyncEnumerable<TItem> items, CallOptions? options = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// go-micro's untyped <c>Client.Stream</c>: opens a stream to <paramref name="endpoint"/> of
    /// <paramref name="service"/> with an already encoded first message, for code that has no
    /// contract (the CLI). Dispose the stream to end or cancel the call.
    /// </summary>
    ValueTask<ITransportStream> StreamAsync(string service, string endpoint, string contentType, ReadOnlyMemory<byte> request, CallOptions? options = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// A typed client for contract <typeparamref name="TService"/>, a <c>[MicroService]</c>
    /// interface, using the generated proxy (found without reflection).
    /// </summary>
    /// <param name="options">Defaults for every call through the proxy.</param>
    /// <exception cref="InvalidOperationException">No generated code is registered for <typeparamref name="TService"/>.</exception>
    TService For<TService>(CallOptions? options = null) where TService : class;

    /// <summary>
    /// Publishes <paramref name="message"/> on <paramref name="topic"/> through the client's broker,
    /// encoded like a call's argument (protobuf for Google.Protobuf messages, MessagePack otherwise,
    /// <see cref="PublishOptions.ContentType"/> on request) by the generated routines of a
    /// <c>[MicroEvent]</c> type. The ambient <see cref="MicroContext"/>'s headers travel with it.
    /// </summary>
    /// <returns>What was delivered; with the built-in brokers, it completes once every required delivery was acknowledged.</returns>
    /// <exception cref="PublishException">A delivery failed, or the topic has no subscriber; the message says which and why.</exception>
    /// <exception cref="MicroException">Code 415 when no codec can carry <typeparamref name="TEvent"/>.</exception>
    /// <exception cref="InvalidOperationException">No broker is configured.</exception>
    /// <remarks>The default implementation throws <see cref="NotSupportedException"/>, so clients written before events (test doubles, adapters) keep compiling.</remarks>
    ValueTask<PublishResult> PublishAsync<TEvent>(string topic, TEvent message, PublishOptions? options = null, CancellationToken cancellationToken = default) =>
        throw new NotSupportedException($"{GetType().Name} does not publish events; use MicroClient or a service's client.");
}
