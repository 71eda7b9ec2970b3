using System;
using System.Buffers;
using System.Collections.Generic;
using System.Runtime.CompilerServices;
using System.Runtime.ExceptionServices;
using System.Threading;
using System.Threading.Tasks;
using MicroGen.Codec;
using MicroGen.Internal;
using MicroGen.Registry;
using MicroGen.Transport;

namespace MicroGen.Client;

public sealed partial class MicroClient
{
    /// <inheritdoc/>
    public IAsyncEnumerable<TResponse> ServerStreamAsync<TRequest, TResponse>(Method<TRequest, TResponse> method, TRequest request, CallOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(method);
        return StreamResponsesAsync<TRequest, Empty, TResponse>(method, request, items: null, options ?? CallOptions.Default, cancellationToken);
    }

    /// <inheritdoc/>
    public async ValueTask<TResponse> ClientStreamAsync<TRequest, TItem, TResponse>(Method<TRequest, TResponse> method, TRequest request, IAsyncEnumerable<TItem> items, CallOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(method);
        ArgumentNullException.ThrowIfNull(items);
        var found = false;
        TResponse result = default!;
        await foreach (var response in StreamResponsesAsync(method, request, items, options ?? CallOptions.Default, cancellationToken).ConfigureAwait(false))
        {
            if (found)
            {
                throw new MicroException(ClientId, MicroStatusCode.BadGateway, $"{method.Endpoint} answered a client stream with more than one reply");
            }
            result = response;
            found = true;
        }
        return found ? result : throw new MicroException(ClientId, MicroStatusCode.BadGateway, $"{method.Endpoint} ended a client stream without a reply");
    }

    /// <inheritdoc/>
    public IAsyncEnumerable<TResponse> DuplexStreamAsync<TRequest, TItem, TResponse>(Method<TRequest, TResponse> method, TRequest request, IAsyncEnumerable<TItem> items, CallOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(method);
        ArgumentNullException.ThrowIfNull(items);
        return StreamResponsesAsync(method, request, items, options ?? CallOptions.Default, cancellationToken);
    }

    /// <inheritdoc/>
    public async ValueTask<ITransportStream> StreamAsync(string service, string endpoint, string contentType, ReadOnlyMemory<byte> request, CallOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(service);
        ArgumentException.ThrowIfNullOrEmpty(endpoint);
        ArgumentException.ThrowIfNullOrEmpty(contentType);
        options ??= CallOptions.Default;
        var lifetime = options.Timeout is { } timeout ? new CancellationTokenSource(timeout) : new CancellationTokenSource();
        var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, lifetime.Token);
        try
        {
            var stream = await OpenStreamAsync(service, endpoint, contentType, new ReadOnlySequence<byte>(request), options, idempotent: false, linked.Token).ConfigureAwait(false);
            return new OwnedStream(stream, linked, lifetime);
        }
        catch
        {
            linked.Dispose();
            lifetime.Dispose();
            throw;
        }
    }

    private async IAsyncEnumerable<TResponse> StreamResponsesAsync<TRequest, TItem, TResponse>(
        Method<TRequest, TResponse> method, TRequest request, IAsyncEnumerable<TItem>? items, CallOptions options,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        var codec = ResolveCodec(method, options);
        var service = options.Service ?? method.Service;
        using var deadline = options.Timeout is { } timeout ? new CancellationTokenSource(timeout) : null;
        using var call = deadline is null
            ? CancellationTokenSource.CreateLinkedTokenSource(cancellationToken)
            : CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadline.Token);

        ITransportStream stream;
        using (var body = new PooledBufferWriter())
        {
            codec.Serialize(body, request);
            try
            {
                stream = await OpenStreamAsync(service, method.Endpoint, codec.ContentType, body.WrittenSequence, options, method.Idempotent, call.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (MapStreamFailure(e, method, service, deadline, cancellationToken) is { } mapped)
            {
                throw mapped;
            }
        }

        var context = MicroContext.Current;
        Task? pump = null;
        var pumpFailure = new StrongBox<Exception?>();
        await using (stream.ConfigureAwait(false))
        {
            try
            {
                if (items is null)
                {
                    await stream.CompleteAsync(cancellationToken: call.Token).ConfigureAwait(false);
                }
                else
                {
                    pump = PumpAsync(stream, codec, items, call, pumpFailure);
                }
            }
            catch (Exception e) when (MapStreamFailure(e, method, service, deadline, cancellationToken) is { } mapped)
            {
                throw mapped;
            }

            while (true)
            {
                TResponse item;
                try
                {
                    if (!await stream.MoveNextAsync(call.Token).ConfigureAwait(false))
                    {
                        break;
                    }
                    item = codec.Deserialize<TResponse>(stream.Current);
                }
                catch (OperationCanceledException) when (pumpFailure.Value is { } failed && !cancellationToken.IsCancellationRequested)
                {
                    // The pump abandoned the call (its items failed, or a write was refused, e.g. 413):
                    // that is the caller's error, not the cancellation it caused.
                    ExceptionDispatchInfo.Throw(failed);
                    throw;
                }
                catch (Exception e) when (MapStreamFailure(e, method, service, deadline, cancellationToken) is { } mapped)
                {
                    call.Cancel();
                    throw mapped;
                }
                yield return item;
            }

            if (context is { IsServerSide: false } && stream.ResponseMetadata is { Count: > 0 } received)
            {
                context.ResponseMetadata.MergeFrom(received);
            }
            if (pump is not null)
            {
                // The server may answer before reading everything; the pump then stops on its own.
                try
                {
                    await pump.ConfigureAwait(false);
                }
                catch (Exception e) when (e is OperationCanceledException or TransportException)
                {
                }
            }
        }
    }

    private static async Task PumpAsync<TItem>(ITransportStream stream, ICodec codec, IAsyncEnumerable<TItem> items, CancellationTokenSource call, StrongBox<Exception?> failure)
    {
        await Task.Yield();
        using var buffer = new PooledBufferWriter();
        try
        {
            await foreach (var item in items.WithCancellation(call.Token).ConfigureAwait(false))
            {
                buffer.Reset();
                codec.Serialize(buffer, item);
                await stream.WriteAsync(buffer.WrittenMemory, call.Token).ConfigureAwait(false);
            }
            await stream.CompleteAsync(cancellationToken: call.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException and not TransportException)
        {
            // The caller's own sequence failed, or the transport refused an item (413): abandon the
            // call rather than send a partial stream as complete, and report why to the reader.
            failure.Value = e;
            call.Cancel();
            throw;
        }
    }

    private Exception? MapStreamFailure(Exception e, MethodDescriptor method, string service, CancellationTokenSource? deadline, CancellationToken callerToken) => e switch
    {
        OperationCanceledException when callerToken.IsCancellationRequested =>
            new OperationCanceledException($"stream {service}/{method.Endpoint} was cancelled", e, callerToken),
        // The handler cancelled the stream itself (§8.2, 499): to the caller's enumeration that is a
        // cancellation like its own, with the server's error kept inside to say who cancelled.
        MicroException { Code: MicroStatusCode.Cancelled } cancelled =>
            new OperationCanceledException($"stream {service}/{method.Endpoint} was cancelled by the server: {cancelled.Detail}", cancelled),
        OperationCanceledException when deadline?.IsCancellationRequested == true =>
            new MicroException(MicroError.Create(ClientId, MicroStatusCode.Timeout, $"stream {service}/{method.Endpoint} passed its deadline"), e),
        TransportException transport =>
            new MicroException(MicroError.Create(ClientId, MicroStatusCode.ServiceUnavailable, $"stream {service}/{method.Endpoint} failed: {transport.Message}"), e),
        _ => null,
    };

    private async ValueTask<ITransportStream> OpenStreamAsync(string service, string endpoint, string contentType, ReadOnlySequence<byte> body, CallOptions options, bool idempotent, CancellationToken cancellationToken)
    {
        var metadata = MergeMetadata(MicroContext.Current, options.Metadata);
        var retries = Math.Max(0, options.Retries ?? Options.Retries);
        List<string>? tried = null;
        for (var attempt = 0; ; attempt++)
        {
            Node? node = null;
            try
            {
                string address;
                if (options.Address is { } direct)
                {
                    address = direct;
                }
                else
                {
                    node = await SelectAsync(service, options, tried, attempt, cancellationToken).ConfigureAwait(false);
                    address = node.Address;
                }
                var connection = await GetConnectionAsync(address, cancellationToken).ConfigureAwait(false);
                var stream = await connection.OpenStreamAsync(new TransportRequest
                {
                    Service = service,
                    Endpoint = endpoint,
                    ContentType = contentType,
                    Timeout = options.Timeout,
                    Metadata = metadata,
                    Body = body,
                }, cancellationToken).ConfigureAwait(false);
                if (node is not null)
                {
                    Options.Selector.Mark(service, node, null);
                }
                return stream;
            }
            catch (TransportException e) when ((e.NotProcessed || idempotent) && attempt < retries)
            {
                if (node is not null)
                {
                    Options.Selector.Mark(service, node, e);
                    (tried ??= new List<string>()).Add(node.Id);
                }
                ClientLog.Retrying(_logger, service, endpoint, attempt + 1, e.Message);
            }
            catch (TransportException e) when (node is not null)
            {
                Options.Selector.Mark(service, node, e);
                throw;
            }
        }
    }

    /// <summary>A stream that also owns the call's cancellation sources.</summary>
    private sealed class OwnedStream(ITransportStream inner, CancellationTokenSource linked, CancellationTokenSource lifetime) : ITransportStream
    {
        public string ContentType => inner.ContentType;

        public ReadOnlySequence<byte> Current => inner.Current;

        public Metadata? ResponseMetadata => inner.ResponseMetadata;

        public ValueTask WriteAsync(ReadOnlyMemory<byte> message, CancellationToken cancellationToken = default) => inner.WriteAsync(message, cancellationToken);

        public ValueTask CompleteAsync(MicroError? error = null, Metadata? metadata = null, CancellationToken cancellationToken = default) =>
            inner.CompleteAsync(error, metadata, cancellationToken);

        public ValueTask<bool> MoveNextAsync(CancellationToken cancellationToken = default) => inner.MoveNextAsync(cancellationToken);

        public async ValueTask DisposeAsync()
        {
            await inner.DisposeAsync().ConfigureAwait(false);
            linked.Dispose();
            lifetime.Dispose();
        }
    }
}
