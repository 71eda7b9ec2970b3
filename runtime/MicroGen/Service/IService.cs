using System;
using System.Threading;
using System.Threading.Tasks;
using MicroGen.Client;
using MicroGen.Server;

namespace MicroGen.Service;

/// <summary>
/// go-micro's service: a named process bundling a client and a server over shared parts
/// (transport, registry, selector, broker, codecs). Create one with <see cref="Micro.CreateService"/>.
/// </summary>
public interface IService : IAsyncDisposable
{
    /// <summary>The service name.</summary>
    string Name { get; }

    /// <summary>The options the service was created with.</summary>
    ServiceOptions Options { get; }

    /// <summary>The client, for calls to other services.</summary>
    IClient Client { get; }

    /// <summary>The server, which serves the handlers added with <see cref="Handle{TService}"/>.</summary>
    IServer Server { get; }

    /// <summary>Serves contract <typeparamref name="TService"/> with <paramref name="handler"/>.</summary>
    IService Handle<TService>(TService handler) where TService : class;

    /// <summary>Starts the server: listen, register, heartbeat.</summary>
    Task StartAsync(CancellationToken cancellationToken = default);

    /// <summary>Stops the server gracefully: drain, deregister, close.</summary>
    Task StopAsync(CancellationToken cancellationToken = default);

    /// <summary>Starts, runs until <paramref name="cancellationToken"/> fires, then stops gracefully.</summary>
    Task RunAsync(CancellationToken cancellationToken = default);
}
