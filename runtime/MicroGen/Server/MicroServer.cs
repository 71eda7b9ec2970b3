using System;
using System.Collections.Generic;
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

    private readonly Dictionary<string, IServiceDispatcher> _endpoints = new(StringComparer.Ordinal);
    private readonly List<ServiceDescriptor> _contracts = new();
    private readonly Dictionary<string, ICodec> _codecs;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stopping = new();
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
                        $"Endpoint {method.Endpoint} of {dispatcher.Descriptor.ContractName} is already served by {existing.Descriptor.ContractName}.");
                }
            }
            foreach (var method in dispatcher.Descriptor.Methods)
            {
                _endpoints.Add(method.Endpoint, dispatcher);
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
            return await HandleCoreAsync(request, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            if (Interlocked.Decrement(ref _inFlight) == 0 && Volatile.Read(ref _state) >= 2)
            {
                _drained?.TrySetResult();
            }
        }
    }

    private async ValueTask<TransportResponse> HandleCoreAsync(TransportRequest request, CancellationToken cancellationToken)
    {
        var serviceId = ServiceName;
        if (!_endpoints.TryGetValue(request.Endpoint, out var dispatcher))
        {
            return Error(MicroError.Create(serviceId, MicroStatusCode.NotFound,
                $"service {request.Service} has no endpoint {request.Endpoint} here"));
        }
        if (!_codecs.TryGetValue(request.ContentType, out var codec))
        {
            return Error(MicroError.Create(serviceId, MicroStatusCode.UnsupportedMediaType,
                $"unsupported content type '{request.ContentType}'; this server answers {string.Join(", ", _codecs.Keys.Order(StringComparer.Ordinal))}"));
        }

        using var deadline = request.Timeout is { } timeout ? new CancellationTokenSource(timeout) : null;
        using var linked = deadline is null
            ? CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _stopping.Token)
            : CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _stopping.Token, deadline.Token);
        var context = new MicroContext(request.Metadata, request.Service, request.Endpoint,
            request.Timeout is { } t ? DateTimeOffset.UtcNow + t : null, linked.Token);
        var call = new Call(request, codec, context);
        var scope = MicroContext.Begin(context);
        try
        {
            await dispatcher.DispatchAsync(call).ConfigureAwait(false);
            var body = call.TakeResponse() ?? throw new InvalidOperationException($"The dispatcher of {dispatcher.Descriptor.ContractName} wrote no response for {request.Endpoint}.");
            return new TransportResponse(codec.ContentType, body.WrittenSequence, body, context.ResponseMetadataOrNull);
        }
        catch (MicroException e)
        {
            return Error(e.Error, context.ResponseMetadataOrNull);
        }
        catch (OperationCanceledException) when (deadline?.IsCancellationRequested == true)
        {
            return Error(MicroError.Create(serviceId, MicroStatusCode.Timeout,
                $"{request.Endpoint} did not finish within the caller's deadline of {request.Timeout!.Value.TotalMilliseconds:0} ms"));
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return Error(MicroError.Create(serviceId, MicroStatusCode.Cancelled, $"{request.Endpoint} was cancelled by the caller"));
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
            return Error(MicroError.Create(serviceId, MicroStatusCode.ServiceUnavailable, $"{request.Endpoint} was cancelled because the server is stopping"));
        }
        catch (Exception e)
        {
            // Never send exception text or stack traces to callers: they can leak internals.
            ServerLog.HandlerFailed(_logger, request.Endpoint, request.Id, e);
            return Error(MicroError.Create(serviceId, MicroStatusCode.InternalServerError, "internal server error"), context.ResponseMetadataOrNull);
        }
        finally
        {
            scope.Dispose();
            call.TakeResponse()?.Dispose();
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

    private sealed class Call(TransportRequest request, ICodec codec, MicroContext context) : ServerCall
    {
        private PooledBufferWriter? _response;

        public override string Endpoint => request.Endpoint;

        public override CancellationToken CancellationToken => context.CancellationToken;

        public override MicroContext Context => context;

        public override TRequest ReadRequest<TRequest>() => codec.Deserialize<TRequest>(request.Body);

        public override void WriteResponse<TResponse>(TResponse response)
        {
            var writer = _response ??= new PooledBufferWriter();
            writer.Reset();
            codec.Serialize(writer, response);
        }

        public PooledBufferWriter? TakeResponse()
        {
            var response = _response;
            _response = null;
            return response;
        }
    }
}
