using System;
using System.Buffers;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using MicroGen.Client;
using MicroGen.Codec;
using MicroGen.Internal;
using MicroGen.Registry;
using MicroGen.Transport;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.ObjectPool;

namespace MicroGen.Server;

/// <summary>
/// The built-in <see cref="IServer"/>: dispatches calls to generated dispatchers, enforces the
/// caller's deadline, carries metadata both ways, maps exceptions to go-micro errors, registers
/// and heart-beats, and drains on stop.
/// </summary>
public sealed class MicroServer : IServer, ITransportHandler
{
    /// <summary>The default listen address: a free port on the IPv4 loopback.</summary>
    public const string DefaultAddress = "127.0.0.1:0";

    /// <summary>
    /// The detail of the 499 error a caller gets when the handler cancelled the call itself: an
    /// <see cref="OperationCanceledException"/> that neither the caller, the deadline nor the
    /// server's stop caused.
    /// </summary>
    public const string HandlerCancelledDetail = "the handler cancelled the call";

    private readonly Dictionary<string, (IServiceDispatcher Dispatcher, MethodDescriptor Method)> _endpoints = new(StringComparer.Ordinal);
    private readonly List<ServiceDescriptor> _contracts = new();
    private readonly Dictionary<string, ICodec> _codecs;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stopping = new();
    private readonly ObjectPool<Call> _callPool;
    private readonly object _gate = new();
    private ITransportListener? _listener;
    private IReadOnlyList<ServiceInfo> _registrations = Array.Empty<ServiceInfo>();
    private Task? _heartbeat;
    private CancellationTokenSource? _heartbeatStop;
    private int _inFlight;
    private TaskCompletionSource? _drained;
    private int _state; // 0 new, 1 running, 2 stopping, 3 stopped

    /// <summary>Creates a server.</summary>
    public MicroServer(ServerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Transport is null)
        {
            throw new ArgumentException("ServerOptions.Transport is required", nameof(options));
        }
        Options = options;
        _codecs = new Dictionary<string, ICodec>(StringComparer.OrdinalIgnoreCase);
        foreach (var codec in options.Codecs)
        {
            _codecs[codec.ContentType] = codec;
        }
        _logger = options.LoggerFactory?.CreateLogger<MicroServer>() ?? NullLogger<MicroServer>.Instance;
        Id = options.Id ?? $"{options.Name ?? "server"}-{Guid.NewGuid():N}";
        // Enough for the calls a busy node runs at once; beyond that a call allocates its state.
        _callPool = new DefaultObjectPool<Call>(new CallPolicy(this), maximumRetained: 1024);
    }

    /// <inheritdoc/>
    public ServerOptions Options { get; }

    /// <summary>This node's id in the registry.</summary>
    public string Id { get; private set; }

    /// <inheritdoc/>
    public string? Address { get; private set; }

    /// <inheritdoc/>
    public bool IsRunning => Volatile.Read(ref _state) == 1;

    /// <summary>The contracts served.</summary>
    public IReadOnlyList<ServiceDescriptor> Contracts => _contracts;

    /// <summary>How many calls are being handled right now.</summary>
    public int InFlight => Volatile.Read(ref _inFlight);

    private string ServiceName => Options.Name ?? (_contracts.Count > 0 ? _contracts[0].Name : "microgen.server");

    /// <inheritdoc/>
    public void Handle<TService>(TService handler) where TService : class
    {
        ArgumentNullException.ThrowIfNull(handler);
        AddDispatcher(ServiceContracts.Get<TService>().CreateDispatcher(handler));
    }

    /// <inheritdoc/>
    public void AddDispatcher(IServiceDispatcher dispatcher)
    {
        ArgumentNullException.ThrowIfNull(dispatcher);
        lock (_gate)
        {
            if (_state != 0)
            {
                throw new InvalidOperationException("Handlers must be added before the server starts.");
            }
            foreach (var method in dispatcher.Descriptor.Methods)
            {
                if (_endpoints.TryGetValue(method.Endpoint, out var existing))
                {
                    throw new InvalidOperationException(
                        $"Endpoint {method.Endpoint} of {dispatcher.Descriptor.ContractName} is already served by {existing.Dispatcher.Descriptor.ContractName}.");
                }
            }
            foreach (var method in dispatcher.Descriptor.Methods)
            {
                _endpoints.Add(method.Endpoint, (dispatcher, method));
            }
            _contracts.Add(dispatcher.Descriptor);
        }
    }

    /// <inheritdoc/>
    public async ValueTask StartAsync(CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            if (_state != 0)
            {
                throw new InvalidOperationException("The server was already started.");
            }
            _state = 1;
        }
        if (Options.Id is null && Options.Name is null)
        {
            Id = $"{ServiceName}-{Guid.NewGuid():N}";
        }

        var address = Options.Address ?? Environment.GetEnvironmentVariable(ServerOptions.AddressEnvironmentVariable);
        if (string.IsNullOrWhiteSpace(address))
        {
            address = DefaultAddress;
        }
        _listener = await Options.Transport.ListenAsync(address, this, cancellationToken).ConfigureAwait(false);
        Address = Options.Advertise ?? Addresses.Advertisable(_listener.Address);
        _registrations = BuildRegistrations();
        ServerLog.Listening(_logger, ServiceName, Id, Options.Transport.Name, Address);

        if (Options.Registry is not null)
        {
            await RegisterAsync(cancellationToken).ConfigureAwait(false);
            _heartbeatStop = new CancellationTokenSource();
            _heartbeat = HeartbeatAsync(_heartbeatStop.Token);
        }
    }

    /// <inheritdoc/>
    public async ValueTask StopAsync(CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            if (_state != 1)
            {
                _state = Math.Max(_state, 3);
                return;
            }
            _state = 2;
            _drained = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            if (_inFlight == 0)
            {
                _drained.TrySetResult();
            }
        }

        // Refuse new calls (callers retry them elsewhere) and leave the registry, so traffic moves now.
        if (_listener is not null)
        {
            await _listener.DrainAsync(cancellationToken).ConfigureAwait(false);
        }
        if (_heartbeatStop is not null)
        {
            _heartbeatStop.Cancel();
            await _heartbeat!.ConfigureAwait(false);
        }
        await DeregisterAsync().ConfigureAwait(false);

        try
        {
            await _drained!.Task.WaitAsync(Options.DrainTimeout, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is TimeoutException or OperationCanceledException)
        {
            ServerLog.DrainTimedOut(_logger, ServiceName, InFlight);
        }
        _stopping.Cancel();
        if (_listener is not null)
        {
            await _listener.DisposeAsync().ConfigureAwait(false);
        }
        Volatile.Write(ref _state, 3);
        ServerLog.Stopped(_logger, ServiceName, Id);
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        await StopAsync().ConfigureAwait(false);
        _stopping.Dispose();
    }

    /// <inheritdoc/>
    async ValueTask<TransportResponse> ITransportHandler.HandleAsync(TransportRequest request, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _inFlight);
        try
        {
            return await HandleUnaryAsync(request, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            CallEnded();
        }
    }

    /// <inheritdoc/>
    async ValueTask ITransportHandler.HandleStreamAsync(TransportRequest request, ITransportStream stream, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _inFlight);
        try
        {
            await HandleStreamAsync(request, stream, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            CallEnded();
        }
    }

    private void CallEnded()
    {
        if (Interlocked.Decrement(ref _inFlight) == 0 && Volatile.Read(ref _state) >= 2)
        {
            _drained?.TrySetResult();
        }
    }

    private async ValueTask<TransportResponse> HandleUnaryAsync(TransportRequest request, CancellationToken cancellationToken)
    {
        if (Route(request, streaming: false, out var dispatcher, out var codec) is { } refused)
        {
            return Error(refused);
        }

        var call = _callPool.Get();
        var ambient = call.Begin(request, codec, null, cancellationToken);
        try
        {
            var dispatch = dispatcher.DispatchAsync(call);
            if (!dispatch.IsCompleted)
            {
                call.ArmTimers();
            }
            await dispatch.ConfigureAwait(false);
            // On success the call's state goes back to the pool when the transport disposes the response.
            return call.TakeResponse() ?? throw new InvalidOperationException($"The dispatcher of {dispatcher.Descriptor.ContractName} wrote no response for {request.Endpoint}.");
        }
        catch (Exception e)
        {
            var error = Error(ToError(e, request, call, cancellationToken), call.Context.ResponseMetadataOrNull);
            call.Dispose();
            return error;
        }
        finally
        {
            ambient.Dispose();
        }
    }

    private async ValueTask HandleStreamAsync(TransportRequest request, ITransportStream stream, CancellationToken cancellationToken)
    {
        if (Route(request, streaming: true, out var dispatcher, out var codec) is { } refused)
        {
            await stream.CompleteAsync(refused, null, cancellationToken).ConfigureAwait(false);
            return;
        }

        var call = _callPool.Get();
        var ambient = call.Begin(request, codec, stream, cancellationToken);
        // A stream outlives its first await almost always: no point in deferring.
        call.ArmTimers();
        MicroError? error = null;
        try
        {
            try
            {
                await dispatcher.DispatchAsync(call).ConfigureAwait(false);
                // A client-streaming handler's single result goes out as the last message.
                if (call.TryGetResponseBody(out var body))
                {
                    await stream.WriteAsync(body, call.CancellationToken).ConfigureAwait(false);
                }
            }
            catch (Exception e)
            {
                error = ToError(e, request, call, cancellationToken);
            }
            try
            {
                await stream.CompleteAsync(error, call.Context.ResponseMetadataOrNull, CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception e) when (e is TransportException or ObjectDisposedException)
            {
                // The caller is gone; there is nobody to tell.
            }
        }
        finally
        {
            ambient.Dispose();
            call.Dispose();
        }
    }

    /// <summary>Finds the dispatcher and codec of a call, or the error that refuses it.</summary>
    private MicroError? Route(TransportRequest request, bool streaming, out IServiceDispatcher dispatcher, out ICodec codec)
    {
        dispatcher = null!;
        codec = null!;
        if (!_endpoints.TryGetValue(request.Endpoint, out var route))
        {
            return MicroError.Create(ServiceName, MicroStatusCode.NotFound, $"service {request.Service} has no endpoint {request.Endpoint} here");
        }
        if (streaming != (route.Method.Type != MethodType.Unary))
        {
            return MicroError.Create(ServiceName, MicroStatusCode.MethodNotAllowed, streaming
                ? $"{request.Endpoint} is a unary endpoint and cannot be called as a stream"
                : $"{request.Endpoint} is a {route.Method.Type} endpoint and must be called as a stream");
        }
        if (!_codecs.TryGetValue(request.ContentType, out codec!))
        {
            return MicroError.Create(ServiceName, MicroStatusCode.UnsupportedMediaType,
                $"unsupported content type '{request.ContentType}'; this server answers {string.Join(", ", _codecs.Keys.Order(StringComparer.Ordinal))}");
        }
        dispatcher = route.Dispatcher;
        return null;
    }

    /// <summary>Maps what a handler threw to the error the caller gets.</summary>
    private MicroError ToError(Exception e, TransportRequest request, Call call, CancellationToken callerToken)
    {
        switch (e)
        {
            case MicroException micro:
                return micro.Error;
            case OperationCanceledException when call.DeadlinePassed:
                return MicroError.Create(ServiceName, MicroStatusCode.Timeout,
                    $"{request.Endpoint} did not finish within the caller's deadline of {request.Timeout!.Value.TotalMilliseconds:0} ms");
            // The stop before the caller: closing the listener after the drain timeout also fires the
            // transport's per-call token, and the caller must not be told it cancelled a call it did not.
            case OperationCanceledException when _stopping.IsCancellationRequested:
                return MicroError.Create(ServiceName, MicroStatusCode.ServiceUnavailable, $"{request.Endpoint} was cancelled because the server is stopping");
            case OperationCanceledException when callerToken.IsCancellationRequested:
                return MicroError.Create(ServiceName, MicroStatusCode.Cancelled, $"{request.Endpoint} was cancelled by the caller");
            case OperationCanceledException:
                // The handler cancelled itself (its own timeout, a token of its own): a decision, not a
                // crash, so 499 rather than 500, and as with every error no exception text leaves.
                ServerLog.HandlerCancelled(_logger, request.Endpoint, request.Id);
                return MicroError.Create(ServiceName, MicroStatusCode.Cancelled, HandlerCancelledDetail);
            default:
                // Never send exception text or stack traces to callers: they can leak internals.
                ServerLog.HandlerFailed(_logger, request.Endpoint, request.Id, e);
                return MicroError.Create(ServiceName, MicroStatusCode.InternalServerError, "internal server error");
        }
    }

    private static TransportResponse Error(MicroError error, Metadata? metadata = null) => new(error, metadata);

    private List<ServiceInfo> BuildRegistrations()
    {
        var metadata = new Dictionary<string, string>(Options.Metadata, StringComparer.Ordinal)
        {
            ["transport"] = Options.Transport.Name,
            ["server"] = "microgen",
            ["registry"] = Options.Registry?.Name ?? "none",
            ["protocol"] = "microgen",
            ["codecs"] = string.Join(",", _codecs.Keys.Order(StringComparer.Ordinal)),
        };
        var node = new Node { Id = Id, Address = Address!, Metadata = metadata };
        var endpoints = _contracts.SelectMany(c => c.Methods).Select(ToEndpointInfo).ToArray();
        var version = Options.Version ?? (_contracts.Count > 0 ? _contracts[0].Version : "latest");

        // Register under the server's name and under every contract's service name, so that
        // Client.For<T>() finds the node whatever name the process was given.
        var registrations = new List<ServiceInfo> { new() { Name = ServiceName, Version = version, Endpoints = endpoints, Nodes = new[] { node } } };
        foreach (var group in _contracts.GroupBy(c => c.Name).Where(g => g.Key != ServiceName))
        {
            registrations.Add(new ServiceInfo
            {
                Name = group.Key,
                Version = group.First().Version,
                Endpoints = group.SelectMany(c => c.Methods).Select(ToEndpointInfo).ToArray(),
                Nodes = new[] { node },
            });
        }
        return registrations;
    }

    private static EndpointInfo ToEndpointInfo(MethodDescriptor method) => new()
    {
        Name = method.Endpoint,
        Request = method.RequestTypeName,
        Response = method.ResponseTypeName,
        Metadata = new Dictionary<string, string>
        {
            ["type"] = method.Type.ToString().ToLowerInvariant(),
            ["idempotent"] = method.Idempotent ? "true" : "false",
            ["content-type"] = method.DefaultContentType,
        },
    };

    private async ValueTask RegisterAsync(CancellationToken cancellationToken)
    {
        var options = new RegisterOptions(Options.RegisterTtl);
        foreach (var registration in _registrations)
        {
            await Options.Registry!.RegisterAsync(registration, options, cancellationToken).ConfigureAwait(false);
        }
    }

    private async ValueTask DeregisterAsync()
    {
        if (Options.Registry is null)
        {
            return;
        }
        foreach (var registration in _registrations)
        {
            try
            {
                await Options.Registry.DeregisterAsync(registration).ConfigureAwait(false);
            }
            catch (Exception e)
            {
                ServerLog.DeregisterFailed(_logger, registration.Name, e);
            }
        }
    }

    private async Task HeartbeatAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(Options.RegisterInterval);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
            {
                try
                {
                    await RegisterAsync(cancellationToken).ConfigureAwait(false);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    // A registry outage must not stop the server: retry on the next tick.
                    ServerLog.HeartbeatFailed(_logger, ServiceName, e);
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>A handler's context made current; disposing it restores the flow's previous one.</summary>
    private readonly struct Ambient : IDisposable
    {
        private readonly ExecutionContext? _restore;
        private readonly MicroContext.Scope _scope;

        public Ambient(ExecutionContext restore) => _restore = restore;

        public Ambient(MicroContext.Scope scope) => _scope = scope;

        public void Dispose()
        {
            if (_restore is not null)
            {
                ExecutionContext.Restore(_restore);
            }
            else
            {
                _scope.Dispose();
            }
        }
    }

    /// <summary>
    /// The state of one call, pooled: what the dispatcher reads and writes, the call's token (caller,
    /// deadline, server stop), its context, and the response the transport sends.
    /// </summary>
    /// <remarks>
    /// One source per call, cancelled by a registration on the caller's token and, once the handler
    /// has gone asynchronous, by its deadline timer and a registration on the server's stopping token
    /// (see <see cref="ArmTimers"/>). Reused with <see cref="CancellationTokenSource.TryReset"/>, it
    /// keeps its timer and registration table, and the registrations on the long-lived tokens reuse
    /// free nodes, so a call costs no cancellation objects at all; a source that fired is replaced. The
    /// state goes back to the pool when the transport disposes the response (or at once when the
    /// call failed), so the context and the token are valid only during the call, as documented
    /// on <see cref="MicroContext"/>.
    /// </remarks>
    private sealed class Call : ServerCall, IDisposable
    {
        private const int MaxRetainedBuffer = 16 * 1024;
        private static readonly Action<object?> s_cancel = static source => ((CancellationTokenSource)source!).Cancel();

        private readonly MicroServer _server;
        private readonly MicroContext _context = new(null, string.Empty, string.Empty, null, default);
        private readonly PooledBufferWriter _response = new();
        private readonly TransportResponse _transportResponse = new(string.Empty, default);
        private CancellationTokenSource _source = new();
        private CancellationTokenRegistration _callerRegistration;
        private CancellationTokenRegistration _stoppingRegistration;
        private CancellationToken _callerToken;
        private TimeSpan? _timeout;
        private long _started;
        private ReadOnlySequence<byte> _body;
        private ICodec _codec = null!;
        private ITransportStream? _stream;
        private PooledBufferWriter? _item;
        private ExecutionContext? _flowBase; // the flow a call last began in...
        private ExecutionContext? _flowWithContext; // ...and that flow with _context current
        private bool _armed;
        private bool _responded;
        private int _reading;

        public Call(MicroServer server) => _server = server;

        public override string Endpoint => _context.Endpoint;

        public override CancellationToken CancellationToken => _context.CancellationToken;

        public override MicroContext Context => _context;

        /// <summary>
        /// Whether the deadline cancelled the call: the source fired and either the deadline has
        /// passed or nothing else could have cancelled it.
        /// </summary>
        public bool DeadlinePassed =>
            _timeout is { } timeout && _source.IsCancellationRequested
            && (Stopwatch.GetElapsedTime(_started) >= timeout
                || (!_callerToken.IsCancellationRequested && !_server._stopping.IsCancellationRequested));

        /// <summary>Starts the call: arms the token and makes the context current until the returned scope ends.</summary>
        public Ambient Begin(in TransportRequest request, ICodec codec, ITransportStream? stream, CancellationToken callerToken)
        {
            _body = request.Body;
            _codec = codec;
            _stream = stream;
            _callerToken = callerToken;
            _timeout = request.Timeout;
            _started = Stopwatch.GetTimestamp();
            _callerRegistration = callerToken.UnsafeRegister(s_cancel, _source);
            _context.Reset(request.Metadata, request.Service, request.Endpoint,
                _timeout is { } t ? DateTimeOffset.UtcNow + t : null, _source.Token);
            return MakeCurrent();
        }

        /// <summary>
        /// Makes the context current. Setting an async-local builds a new execution context (two
        /// objects, 72 bytes) each time; but calls begin in the same flow (a transport's worker
        /// with nothing else set), and this state's context is always the same object, so the
        /// execution context that results is the same too: it is kept and restored as it is. Over
        /// TCP that flow is the empty one; in process, the caller's, which the state then holds
        /// until a call from another flow replaces it.
        /// </summary>
        private Ambient MakeCurrent()
        {
            var flow = ExecutionContext.Capture();
            if (flow is not null && ReferenceEquals(flow, _flowBase))
            {
                ExecutionContext.Restore(_flowWithContext!);
                return new Ambient(flow);
            }
            var scope = MicroContext.Begin(_context);
            if (flow is not null)
            {
                _flowBase = flow;
                _flowWithContext = ExecutionContext.Capture();
            }
            return new Ambient(scope);
        }

        /// <summary>
        /// Arms the deadline timer and the server-stop registration, once the handler has gone
        /// asynchronous. A handler that finishes synchronously never needed them: arming and
        /// disarming a timer and a registration on the shared stopping token took a lock each, per
        /// call. A synchronous handler still running at the deadline is cancelled by the caller's
        /// CANCEL (its client times out too), and at a stop by the transport closing.
        /// </summary>
        public void ArmTimers()
        {
            if (_armed)
            {
                return;
            }
            _armed = true;
            if (_timeout is { } timeout)
            {
                var left = timeout - Stopwatch.GetElapsedTime(_started);
                _source.CancelAfter(left > TimeSpan.Zero ? left : TimeSpan.Zero);
            }
            _stoppingRegistration = _server._stopping.Token.UnsafeRegister(s_cancel, _source);
        }


        public override TRequest ReadRequest<TRequest>() => _codec.Deserialize<TRequest>(_body);

        public override void WriteResponse<TResponse>(TResponse response)
        {
            _response.Reset();
            _codec.Serialize(_response, response);
            _responded = true;
        }

        /// <summary>The unary response, owned by this state: disposing it returns the state to the pool.</summary>
        public TransportResponse? TakeResponse()
        {
            if (!_responded)
            {
                return null;
            }
            _transportResponse.Reset(_codec.ContentType, _response.WrittenSequence, this, _context.ResponseMetadataOrNull);
            return _transportResponse;
        }

        /// <summary>A client-streaming handler's result, valid until the state is disposed.</summary>
        public bool TryGetResponseBody(out ReadOnlyMemory<byte> body)
        {
            body = _responded ? _response.WrittenMemory : default;
            return _responded;
        }

        public override IAsyncEnumerable<TItem> ReadStream<TItem>()
        {
            if (_stream is null)
            {
                return base.ReadStream<TItem>();
            }
            if (Interlocked.Exchange(ref _reading, 1) != 0)
            {
                throw new InvalidOperationException($"The request stream of {Endpoint} can be enumerated only once.");
            }
            return ReadItemsAsync<TItem>(_stream, CancellationToken);
        }

        public override ValueTask WriteItemAsync<TItem>(TItem item)
        {
            if (_stream is null)
            {
                return base.WriteItemAsync(item);
            }
            var writer = _item ??= new PooledBufferWriter();
            writer.Reset();
            _codec.Serialize(writer, item);
            return _stream.WriteAsync(writer.WrittenMemory, CancellationToken);
        }

        /// <summary>Ends the call and gives the state back to the pool; it must not be used afterwards.</summary>
        public void Dispose()
        {
            _callerRegistration.Dispose();
            _stoppingRegistration.Dispose();
            _stoppingRegistration = default;
            _armed = false;
            if (!_source.TryReset())
            {
                // It fired (or its timer is firing): a cancelled source stays cancelled for good.
                _source.Dispose();
                _source = new CancellationTokenSource();
            }
            _response.Clear(MaxRetainedBuffer);
            _item?.Dispose();
            _item = null;
            _responded = false;
            _reading = 0;
            _body = default;
            _stream = null;
            _callerToken = default;
            _timeout = null;
            _context.Reset(null, string.Empty, string.Empty, null, default);
            _server._callPool.Return(this);
        }

        private async IAsyncEnumerable<TItem> ReadItemsAsync<TItem>(ITransportStream stream, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
        {
            while (await stream.MoveNextAsync(cancellationToken).ConfigureAwait(false))
            {
                yield return _codec.Deserialize<TItem>(stream.Current);
            }
        }
    }

    private sealed class CallPolicy(MicroServer server) : IPooledObjectPolicy<Call>
    {
        public Call Create() => new(server);

        public bool Return(Call call) => true;
    }
}
