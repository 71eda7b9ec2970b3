using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using MicroGen.Broker;
using MicroGen.Broker.Internal;
using MicroGen.Client;
using MicroGen.Codec;
using MicroGen.Registry;
using MicroGen.Selector;
using MicroGen.Server;
using MicroGen.Transport;
using Microsoft.Extensions.Logging;

namespace MicroGen.Service;

/// <summary>The built-in <see cref="IService"/>: a <see cref="MicroClient"/> and a <see cref="MicroServer"/> over shared parts.</summary>
public sealed class MicroService : IService
{
    private readonly MicroServer _server;
    private readonly MicroClient _client;
    private readonly List<IAsyncDisposable> _owned = new();
    private readonly IBroker _broker;
    private readonly Dictionary<string, ICodec> _codecsByType;
    private readonly List<(string Topic, BrokerHandler Handler, SubscribeOptions Options)> _subscriptions = new();
    private readonly List<ISubscription> _active = new();
    private int _started;

    /// <summary>Creates a service; unset parts use the embedded defaults.</summary>
    public MicroService(ServiceOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        Options = options;
        var transport = options.Transport ??= Own(DefaultTransport(options.LoggerFactory));
        var registry = options.Registry ??= Own(DefaultRegistry(options.LoggerFactory));
        var selector = options.Selector ??= new RandomSelector();
        var codecs = options.Codecs ??= new List<ICodec> { MessagePackCodec.Instance, ProtobufCodec.Instance, JsonCodec.Instance };
        _codecsByType = Codecs.ByContentType(codecs);
        if (options.Broker is null)
        {
            // The embedded default rides on the service's own transport and registry, so it is
            // in-process on the in-memory parts and cross-process on TCP and the file registry.
            options.Broker = Own(new EmbeddedBroker(new EmbeddedBrokerOptions
            {
                Transport = transport,
                Registry = registry,
                Address = BrokerAddress(options.Address),
                RegisterTtl = options.RegisterTtl,
                RegisterInterval = options.RegisterInterval,
                DrainTimeout = options.DrainTimeout,
                LoggerFactory = options.LoggerFactory,
            }));
        }
        _broker = options.Broker;

        // Lookups go through a cache kept fresh by a watch, as go-micro's selector does; an
        // in-memory registry is its own cache.
        var lookups = registry is InMemoryRegistry or CachingRegistry
            ? registry
            : Own(new CachingRegistry(registry, new CachingRegistryOptions { LoggerFactory = options.LoggerFactory }));

        _server = new MicroServer(new ServerOptions
        {
            Name = options.Name,
            Version = options.Version,
            Id = options.Id,
            Address = options.Address,
            Advertise = options.Advertise,
            Metadata = options.Metadata,
            Transport = transport,
            Registry = registry,
            Codecs = codecs,
            RegisterTtl = options.RegisterTtl,
            RegisterInterval = options.RegisterInterval,
            DrainTimeout = options.DrainTimeout,
            LoggerFactory = options.LoggerFactory,
        });
        _client = new MicroClient(new ClientOptions
        {
            Transport = transport,
            Registry = lookups,
            Selector = selector,
            Codecs = codecs,
            Timeout = options.CallTimeout ?? ClientOptions.DefaultTimeout,
            Retries = options.Retries ?? ClientOptions.DefaultRetries,
            LoggerFactory = options.LoggerFactory,
            Broker = _broker,
            Name = options.Name,
        });
    }

    private T Own<T>(T part) where T : IAsyncDisposable
    {
        _owned.Add(part);
        return part;
    }

    // The embedded defaults: TCP on a free loopback port and the file-system registry in a
    // per-user folder, so processes on one machine find each other with nothing installed.
    internal static ITransport DefaultTransport(ILoggerFactory? loggerFactory) =>
        new TcpTransport(new TcpTransportOptions { LoggerFactory = loggerFactory });

    internal static IRegistry DefaultRegistry(ILoggerFactory? loggerFactory) =>
        new FileSystemRegistry(new FileSystemRegistryOptions { LoggerFactory = loggerFactory });

    /// <inheritdoc/>
    public string Name => Options.Name ?? (_server.Contracts.Count > 0 ? _server.Contracts[0].Name : "microgen");

    /// <inheritdoc/>
    public ServiceOptions Options { get; }

    /// <inheritdoc/>
    public IClient Client => _client;

    /// <inheritdoc/>
    public IServer Server => _server;

    /// <inheritdoc/>
    public IService Handle<TService>(TService handler) where TService : class
    {
        _server.Handle(handler);
        return this;
    }

    /// <inheritdoc/>
    public IService Subscribe<TEvent>(string topic, Func<TEvent, CancellationToken, Task> handler, string? queue = null, SubscribeOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(topic);
        ArgumentNullException.ThrowIfNull(handler);
        options ??= SubscribeOptions.Default;
        if (queue is not null)
        {
            options = options with { Queue = queue };
        }
        lock (_subscriptions)
        {
            if (Volatile.Read(ref _started) != 0)
            {
                throw new InvalidOperationException("Subscriptions must be added before the service starts.");
            }
            _subscriptions.Add((topic, TypedEvents<TEvent>.CreateHandler(handler, _codecsByType), options));
        }
        return this;
    }

    /// <inheritdoc/>
    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        lock (_subscriptions)
        {
            if (Interlocked.Exchange(ref _started, 1) != 0)
            {
                throw new InvalidOperationException($"Service {Name} was already started.");
            }
        }
        _client.Options.Name ??= Name;
        await _server.StartAsync(cancellationToken).ConfigureAwait(false);
        if (_subscriptions.Count > 0)
        {
            await _broker.ConnectAsync(cancellationToken).ConfigureAwait(false);
            foreach (var (topic, handler, options) in _subscriptions)
            {
                var subscription = await _broker.SubscribeAsync(topic, handler, options, cancellationToken).ConfigureAwait(false);
                lock (_active)
                {
                    _active.Add(subscription);
                }
            }
        }
    }

    /// <inheritdoc/>
    public async Task StopAsync(CancellationToken cancellationToken = default)
    {
        await UnsubscribeAllAsync().ConfigureAwait(false);
        await _server.StopAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public async Task RunAsync(CancellationToken cancellationToken = default)
    {
        await StartAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await Task.Delay(Timeout.Infinite, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        await StopAsync(CancellationToken.None).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        await UnsubscribeAllAsync().ConfigureAwait(false);
        await _server.DisposeAsync().ConfigureAwait(false);
        await _client.DisposeAsync().ConfigureAwait(false);
        // The parts this service created for itself (the defaults, the lookup cache, the broker) end
        // with it, newest first; parts handed in through the options belong to the caller.
        for (var i = _owned.Count - 1; i >= 0; i--)
        {
            await _owned[i].DisposeAsync().ConfigureAwait(false);
        }
        _owned.Clear();
    }

    private async ValueTask UnsubscribeAllAsync()
    {
        ISubscription[] active;
        lock (_active)
        {
            active = _active.ToArray();
            _active.Clear();
        }
        // Stop taking events before the server stops: publishers move to the other members of a queue group.
        foreach (var subscription in active)
        {
            await subscription.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>The broker listens on the server's host, on a port of its own.</summary>
    private static string? BrokerAddress(string? serverAddress)
    {
        if (string.IsNullOrWhiteSpace(serverAddress))
        {
            return null;
        }
        var colon = serverAddress.LastIndexOf(':');
        return colon < 0 ? null : serverAddress[..(colon + 1)] + "0";
    }
}
