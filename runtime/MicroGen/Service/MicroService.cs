using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using MicroGen.Client;
using MicroGen.Codec;
using MicroGen.Registry;
using MicroGen.Selector;
using MicroGen.Server;
using MicroGen.Transport;

namespace MicroGen.Service;

/// <summary>The built-in <see cref="IService"/>: a <see cref="MicroClient"/> and a <see cref="MicroServer"/> over shared parts.</summary>
public sealed class MicroService : IService
{
    private readonly MicroServer _server;
    private readonly MicroClient _client;
    private int _started;

    /// <summary>Creates a service; unset parts use the embedded defaults.</summary>
    public MicroService(ServiceOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        Options = options;
        var transport = options.Transport ??= InMemoryTransport.Shared;
        var registry = options.Registry ??= InMemoryRegistry.Shared;
        var selector = options.Selector ??= new RandomSelector();
        var codecs = options.Codecs ??= new List<ICodec> { MessagePackCodec.Instance, ProtobufCodec.Instance, JsonCodec.Instance };

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
            Registry = registry,
            Selector = selector,
            Codecs = codecs,
            Timeout = options.CallTimeout ?? ClientOptions.DefaultTimeout,
            Retries = options.Retries ?? ClientOptions.DefaultRetries,
            LoggerFactory = options.LoggerFactory,
        });
    }

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
    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        if (Interlocked.Exchange(ref _started, 1) != 0)
        {
            throw new InvalidOperationException($"Service {Name} was already started.");
        }
        await _server.StartAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public async Task StopAsync(CancellationToken cancellationToken = default) =>
        await _server.StopAsync(cancellationToken).ConfigureAwait(false);

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
        await _server.DisposeAsync().ConfigureAwait(false);
        await _client.DisposeAsync().ConfigureAwait(false);
    }
}
