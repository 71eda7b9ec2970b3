using System;
using System.Threading;
using System.Threading.Tasks;

namespace MicroGen.Server;

/// <summary>
/// go-micro's server: listens on the transport, dispatches calls to handlers, registers its node in
/// the registry and keeps it alive, and on stop drains in-flight calls before deregistering.
/// </summary>
public interface IServer : IAsyncDisposable
{
    /// <summary>The server's options.</summary>
    ServerOptions Options { get; }

    /// <summary>The address clients reach this server at, once started; null before.</summary>
    string? Address { get; }

    /// <summary>Whether the server is started and not stopped.</summary>
    bool IsRunning { get; }

    /// <summary>
    /// Serves contract <typeparamref name="TService"/> with <paramref name="handler"/>, through the
    /// generated dispatcher (found without reflection). Call before <see cref="StartAsync"/>.
    /// </summary>
    /// <exception cref="InvalidOperationException">No generated code is registered for <typeparamref name="TService"/>, or the server already started.</exception>
    void Handle<TService>(TService handler) where TService : class;

    /// <summary>Serves the endpoints of <paramref name="dispatcher"/>. Call before <see cref="StartAsync"/>.</summary>
    void AddDispatcher(IServiceDispatcher dispatcher);

    /// <summary>Listens, registers and starts heart-beating.</summary>
    ValueTask StartAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// Stops gracefully: stops accepting, lets in-flight calls finish within
    /// <see cref="ServerOptions.DrainTimeout"/> (then cancels them), deregisters and closes.
    /// Cancelling <paramref name="cancellationToken"/> cuts the drain short.
    /// </summary>
    ValueTask StopAsync(CancellationToken cancellationToken = default);
}
