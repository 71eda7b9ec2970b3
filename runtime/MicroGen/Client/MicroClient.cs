using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Runtime.CompilerServices;
using System.Threading;
using System.Threading.Tasks;
using MicroGen.Codec;
using MicroGen.Internal;
using MicroGen.Registry;
using MicroGen.Selector;
using MicroGen.Transport;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace MicroGen.Client;

/// <summary>
/// The built-in <see cref="IClient"/>: registry lookup, node selection, one pooled connection per
/// node, per-call deadlines carried to the server, metadata, and retries that never run a
/// non-idempotent call twice.
/// </summary>
public sealed partial class MicroClient : IClient
{
    private const string ClientId = "microgen.client";

    private readonly ConnectionPool _connections;
    private readonly Dictionary<string, ICodec> _codecs;
    private readonly ILogger _logger;
    private readonly IReadOnlyList<IAsyncDisposable> _owned = Array.Empty<IAsyncDisposable>();
    private int _disposed;

    /// <summary>Creates a client.</summary>
    public MicroClient(ClientOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Transport is null)
        {
            throw new ArgumentException("ClientOptions.Transport is required", nameof(options));
        }
        Options = options;
        _connections = new ConnectionPool(options.Transport);
        _codecs = new Dictionary<string, ICodec>(StringComparer.OrdinalIgnoreCase);
        foreach (var codec in options.Codecs)
        {
            _codecs[codec.ContentType] = codec;
        }
        _logger = options.LoggerFactory?.CreateLogger<MicroClient>() ?? NullLogger<MicroClient>.Instance;
    }

    /// <summary>A client that also disposes <paramref name="owned"/>, in order, when it is disposed.</summary>
    internal MicroClient(ClientOptions options, IReadOnlyList<IAsyncDisposable> owned)
        : this(options) => _owned = owned;

    /// <inheritdoc/>
    public ClientOptions Options { get; }

    /// <inheritdoc/>
    public TService For<TService>(CallOptions? options = null) where TService : class =>
        ServiceContracts.Get<TService>().CreateClient(this, options);

    /// <inheritdoc/>
    /// <remarks>
    /// The returned <see cref="ValueTask{TResult}"/> is backed by a pooled state machine (the
    /// per-call box was the largest allocation of a call): await it once, as any ValueTask.
    /// </remarks>
    [AsyncMethodBuilder(typeof(CallMethodBuilder<>))]
    public async ValueTask<TResponse> CallAsync<TRequest, TResponse>(Method<TRequest, TResponse> method, TRequest request, CallOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(method);
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        options ??= CallOptions.Default;
        cancellationToken.ThrowIfCancellationRequested();

        var codec = ResolveCodec(method, options);
        if (options.Address is { } primed)
        {
            // A first call to this address connects while the rest below is set up.
            _connections.Prime(primed);
        }
        if (codec is MessagePackCodec)
        {
            // The codec's one-off set-up, if these types need it, then overlaps the first call's
            // dial (writing the body waits for it if need be).
            MessagePackCodec.Prepare(MicroGenResolver.Instance.GetFormatter<TRequest>(), MicroGenResolver.Instance.GetFormatter<TResponse>());
        }

        var timeout = options.Timeout ?? Options.Timeout;
        var service = options.Service ?? method.Service;
        using var body = PooledBufferWriter.Rent();
        var serialized = false;

        var context = MicroContext.Current;
        var metadata = MergeMetadata(context, options.Metadata);

        // One pooled source carries the deadline and the caller's token: no linked source, and no
        // new timer, registration table or registration nodes per call (see CancellationSourcePool).
        var deadline = CancellationSourcePool.Rent();
        deadline.CancelAfter(timeout);
        var callerRegistration = cancellationToken.CanBeCanceled
            ? cancellationToken.UnsafeRegister(static source => ((CancellationTokenSource)source!).Cancel(), deadline)
            : default;
        var token = deadline.Token;
        var started = Environment.TickCount64;
        var retries = Math.Max(0, options.Retries ?? Options.Retries);
        List<string>? tried = null;

        try
        {
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
                        node = await SelectAsync(service, options, tried, attempt, token).NoContext();
                        address = node.Address;
                    }

                    var connecting = GetConnectionAsync(address, token);
                    if (!serialized)
                    {
                        // Once, while a first call's dial is in flight: the codec's first use (its
                        // parsers, its options: see MessagePackCodec.PrepareInBackground) then runs
                        // beside the connect instead of after it.
                        SerializeWhileConnecting(codec, body, request, connecting);
                        serialized = true;
                    }
                    var connection = await connecting.NoContext();
                    var remaining = timeout - TimeSpan.FromMilliseconds(Environment.TickCount64 - started);
                    var transportRequest = new TransportRequest
                    {
                        Service = service,
                        Endpoint = method.Endpoint,
                        ContentType = codec.ContentType,
                        Timeout = remaining > TimeSpan.Zero ? remaining : TimeSpan.FromMilliseconds(1),
                        Metadata = metadata,
                        Body = body.WrittenSequence,
                    };

                    using var response = await connection.InvokeAsync(transportRequest, token).NoContext();
                    if (node is not null)
                    {
                        Options.Selector.Mark(service, node, null);
                    }
                    if (context is { IsServerSide: false } && response.Metadata is { Count: > 0 } received)
                    {
                        context.ResponseMetadata.MergeFrom(received);
                    }
                    if (response.Error is { } error)
                    {
                        throw new MicroException(error);
                    }
                    if (!_codecs.TryGetValue(response.ContentType, out var responseCodec))
                    {
                        throw new MicroException(ClientId, MicroStatusCode.UnsupportedMediaType, $"the server answered in '{response.ContentType}', which the client has no codec for");
                    }
                    return responseCodec.Deserialize<TResponse>(response.Body);
                }
                catch (OperationCanceledException e) when (cancellationToken.IsCancellationRequested)
                {
                    // Report the caller's own token, not the linked one, so callers can match it.
                    throw new OperationCanceledException($"call to {service}/{method.Endpoint} was cancelled", e, cancellationToken);
                }
                catch (OperationCanceledException e) when (deadline.IsCancellationRequested)
                {
                    throw new MicroException(MicroError.Create(ClientId, MicroStatusCode.Timeout,
                        $"call to {service}/{method.Endpoint} timed out after {timeout.TotalMilliseconds:0} ms"), e);
                }
                catch (TransportException e)
                {
                    if (node is not null)
                    {
                        Options.Selector.Mark(service, node, e);
                    }
                    // Retry only what cannot run twice: a call that never reached a handler, or an idempotent one.
                    var retryable = e.NotProcessed || method.Idempotent;
                    if (!retryable || attempt >= retries)
                    {
                        ClientLog.CallFailed(_logger, service, method.Endpoint, attempt + 1, e);
                        throw new MicroException(MicroError.Create(ClientId, MicroStatusCode.ServiceUnavailable,
                            $"call to {service}/{method.Endpoint} failed: {e.Message}"), e);
                    }
                    ClientLog.Retrying(_logger, service, method.Endpoint, attempt + 1, e.Message);
                    if (node is not null)
                    {
                        (tried ??= new List<string>()).Add(node.Id);
                    }
                }
            }
        }
        finally
        {
            // Unregister first (waiting for a running callback), so the caller's token can never
            // cancel the source after it went back to the pool.
            callerRegistration.Dispose();
            CancellationSourcePool.Return(deadline);
        }
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }
        await _connections.DisposeAsync().ConfigureAwait(false);
        foreach (var part in _owned)
        {
            await part.DisposeAsync().ConfigureAwait(false);
        }
    }

    private ICodec ResolveCodec(MethodDescriptor method, CallOptions options)
    {
        var contentType = options.ContentType ?? Options.ContentType ?? method.DefaultContentType;
        return _codecs.TryGetValue(contentType, out var codec)
            ? codec
            : throw new MicroException(ClientId, MicroStatusCode.UnsupportedMediaType, $"no codec for content type '{contentType}' is configured on the client");
    }

    private static Metadata? MergeMetadata(MicroContext? context, Metadata? callMetadata)
    {
        var ambient = context?.MetadataOrNull;
        if (ambient is not { Count: > 0 })
        {
            return callMetadata is { Count: > 0 } ? callMetadata : null;
        }
        if (callMetadata is not { Count: > 0 })
        {
            return ambient;
        }
        var merged = ambient.Clone();
        merged.MergeFrom(callMetadata);
        return merged;
    }

    /// <summary>Picks the node for one attempt of a call.</summary>
    /// <exception cref="MicroException">404: on the first attempt, the registry knows no node of <paramref name="service"/> at all.</exception>
    /// <exception cref="TransportException">Not processed: no node passes the filters, or the service vanished while retrying.</exception>
    private async ValueTask<Node> SelectAsync(string service, CallOptions options, List<string>? tried, int attempt, CancellationToken cancellationToken)
    {
        if (Options.Registry is null)
        {
            throw new MicroException(ClientId, MicroStatusCode.ServiceUnavailable, $"no registry is configured to find service {service}; set ClientOptions.Registry or CallOptions.Address");
        }
        var services = await Options.Registry.GetServiceAsync(service, cancellationToken).ConfigureAwait(false);
        if (attempt == 0 && !HasAnyNode(services))
        {
            // A name nobody registered is the caller's mistake (a typo, a missing deployment), not an
            // outage: say so plainly instead of a retried 503. Once a retry is under way the service
            // was there a moment ago, so its vanishing mid-call stays a transport failure (503).
            throw new MicroException(ClientId, MicroStatusCode.NotFound, $"service {service} is not registered (registry: {Options.Registry.Name})");
        }
        var selectOptions = options.Filters is null && tried is null
            ? SelectOptions.Default
            : new SelectOptions { Filters = options.Filters ?? Array.Empty<SelectFilter>(), ExcludedNodes = (IReadOnlyCollection<string>?)tried ?? Array.Empty<string>() };
        var node = Options.Selector.Select(service, services, selectOptions);
        if (node is null && tried is not null)
        {
            // Every node was tried once; allow any of them again rather than fail without trying.
            node = Options.Selector.Select(service, services, selectOptions with { ExcludedNodes = Array.Empty<string>() });
        }
        return node ?? throw new TransportException(
            services.Count == 0 ? $"service {service} has no registered node" : $"no node of service {service} passes the selection filters",
            notProcessed: true);
    }

    private static bool HasAnyNode(IReadOnlyList<ServiceInfo> services)
    {
        foreach (var info in services)
        {
            if (info.Nodes.Count > 0)
            {
                return true;
            }
        }
        return false;
    }

    private ValueTask<ITransportConnection> GetConnectionAsync(string address, CancellationToken cancellationToken) =>
        _connections.GetAsync(address, cancellationToken);

    private static void SerializeWhileConnecting<TRequest>(ICodec codec, PooledBufferWriter body, TRequest request, ValueTask<ITransportConnection> connecting)
    {
        try
        {
            codec.Serialize(body, request);
        }
        catch
        {
            // Nobody awaits the dial now: observe its failure, so it is not reported as unobserved
            // (the pool keeps the connection itself, for the next call).
            _ = connecting.AsTask().ContinueWith(static dial => _ = dial.Exception, CancellationToken.None,
                TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            throw;
        }
    }
}
