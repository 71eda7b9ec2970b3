using System;
using System.Collections.Concurrent;
using System.Threading;
using System.Threading.Tasks;
using MicroGen.Internal;
using MicroGen.Transport.Internal;

namespace MicroGen.Transport;

/// <summary>
/// A transport inside one process: any instance can dial any in-memory listener of the process.
/// Bodies are copied as they would be by a network, so codecs and buffer lifetimes behave as over TCP.
/// </summary>
public sealed class InMemoryTransport : ITransport
{
    private static readonly ConcurrentDictionary<string, Listener> s_listeners = new(StringComparer.Ordinal);
    private static int s_nextPort;

    /// <summary>A transport instance shared by services created without one.</summary>
    public static InMemoryTransport Shared { get; } = new();

    /// <inheritdoc/>
    public string Name => "memory";

    /// <inheritdoc/>
    /// <remarks>An address ending in <c>:0</c> (or empty) gets a fresh one, for example <c>memory:7</c>.</remarks>
    public ValueTask<ITransportListener> ListenAsync(string address, ITransportHandler handler, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(handler);
        if (string.IsNullOrEmpty(address) || address.EndsWith(":0", StringComparison.Ordinal))
        {
            address = $"memory:{Interlocked.Increment(ref s_nextPort)}";
        }
        var listener = new Listener(address, handler);
        if (!s_listeners.TryAdd(address, listener))
        {
            throw new TransportException($"in-memory address {address} is already in use", notProcessed: true);
        }
        return new ValueTask<ITransportListener>(listener);
    }

    /// <inheritdoc/>
    public ValueTask<ITransportConnection> DialAsync(string address, CancellationToken cancellationToken = default)
    {
        if (!s_listeners.TryGetValue(address, out var listener) || !listener.Accepting)
        {
            throw new TransportException($"nothing listens at in-memory address {address}", notProcessed: true);
        }
        return new ValueTask<ITransportConnection>(new Connection(address));
    }

    /// <inheritdoc/>
    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    private sealed class Listener(string address, ITransportHandler handler) : ITransportListener
    {
        private readonly CancellationTokenSource _closed = new();
        private volatile bool _draining;

        public string Address { get; } = address;

        public bool Accepting => !_draining && !_closed.IsCancellationRequested;

        public async ValueTask<TransportResponse> InvokeAsync(TransportRequest request, CancellationToken cancellationToken)
        {
            if (!Accepting)
            {
                throw new TransportException($"{Address} is going away and refused the call", notProcessed: true);
            }
            // Copy the body, as a network would: the handler must not see the caller's buffer.
            using var body = PooledBufferWriter.CopyOf(request.Body);
            var received = new TransportRequest
            {
                Service = request.Service,
                Endpoint = request.Endpoint,
                ContentType = request.ContentType,
                Id = request.Id,
                Timeout = request.Timeout,
                Metadata = request.Metadata?.Clone(),
                Body = body.WrittenSequence,
            };
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _closed.Token);
            TransportResponse response;
            try
            {
                response = await handler.HandleAsync(received, linked.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (_closed.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
            {
                throw new TransportException($"{Address} closed during the call", notProcessed: false);
            }
            cancellationToken.ThrowIfCancellationRequested();
            using (response)
            {
                if (response.Error is not null)
                {
                    return new TransportResponse(response.Error, response.Metadata?.Clone());
                }
                return PooledResponse.Create(response.ContentType, response.Body, response.Metadata?.Clone());
            }
        }

        public ITransportStream OpenStream(TransportRequest request, CancellationToken cancellationToken)
        {
            if (!Accepting)
            {
                throw new TransportException($"{Address} is going away and refused the call", notProcessed: true);
            }
            var body = PooledBufferWriter.CopyOf(request.Body);
            var received = new TransportRequest
            {
                Service = request.Service,
                Endpoint = request.Endpoint,
                ContentType = request.ContentType,
                Id = request.Id,
                Timeout = request.Timeout,
                Metadata = request.Metadata?.Clone(),
                Body = body.WrittenSequence,
            };
            var call = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _closed.Token);
            var (client, server) = InMemoryStream.CreatePair(request.ContentType, call);
            _ = RunStreamAsync(received, body, server, call);
            return client;
        }

        private async Task RunStreamAsync(TransportRequest request, PooledBufferWriter body, InMemoryStream stream, CancellationTokenSource call)
        {
            try
            {
                await Task.Yield();
                await handler.HandleStreamAsync(request, stream, call.Token).ConfigureAwait(false);
            }
            catch (Exception e)
            {
                // The handler contract is to complete the stream itself; this is the last resort.
                await stream.CompleteAsync(e is OperationCanceledException
                    ? MicroError.Create("microgen.transport", MicroStatusCode.Cancelled, "the handler cancelled the call")
                    : MicroError.Create("microgen.transport", MicroStatusCode.InternalServerError, "the stream handler failed")).ConfigureAwait(false);
            }
            finally
            {
                await stream.DisposeAsync().ConfigureAwait(false);
                body.Dispose();
                call.Dispose();
            }
        }

        public ValueTask DrainAsync(CancellationToken cancellationToken = default)
        {
            _draining = true;
            return ValueTask.CompletedTask;
        }

        public ValueTask DisposeAsync()
        {
            _draining = true;
            s_listeners.TryRemove(new(Address, this));
            _closed.Cancel();
            return ValueTask.CompletedTask;
        }
    }

    private sealed class Connection(string address) : ITransportConnection
    {
        private volatile bool _disposed;

        public string RemoteAddress { get; } = address;

        public bool IsAvailable => !_disposed && s_listeners.TryGetValue(RemoteAddress, out var listener) && listener.Accepting;

        public ValueTask<TransportResponse> InvokeAsync(TransportRequest request, CancellationToken cancellationToken = default)
        {
            ArgumentNullException.ThrowIfNull(request.Endpoint, nameof(request));
            if (_disposed || !s_listeners.TryGetValue(RemoteAddress, out var listener))
            {
                throw new TransportException($"nothing listens at in-memory address {RemoteAddress}", notProcessed: true);
            }
            return listener.InvokeAsync(request, cancellationToken);
        }

        public ValueTask<ITransportStream> OpenStreamAsync(TransportRequest request, CancellationToken cancellationToken = default)
        {
            ArgumentNullException.ThrowIfNull(request.Endpoint, nameof(request));
            if (_disposed || !s_listeners.TryGetValue(RemoteAddress, out var listener))
            {
                throw new TransportException($"nothing listens at in-memory address {RemoteAddress}", notProcessed: true);
            }
            return new ValueTask<ITransportStream>(listener.OpenStream(request, cancellationToken));
        }

        public ValueTask DisposeAsync()
        {
            _disposed = true;
            return ValueTask.CompletedTask;
        }
    }
}
