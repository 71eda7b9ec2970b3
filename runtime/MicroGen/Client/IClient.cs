using System;
using System.Threading;
using System.Threading.Tasks;

namespace MicroGen.Client;

/// <summary>
/// go-micro's client: makes calls to services, picking a node through the registry and selector,
/// with timeouts, retries and metadata. Generated proxies call <see cref="CallAsync"/>.
/// </summary>
/// <remarks>Thread-safe; share one per process.</remarks>
public interface IClient : IAsyncDisposable
{
    /// <summary>The client's options.</summary>
    ClientOptions Options { get; }

    /// <summary>
    /// Calls <paramref name="method"/> with <paramref name="request"/> and returns its reply.
    /// </summary>
    /// <exception cref="MicroException">The call failed: the handler's error, a timeout (408), no reachable node (503)…</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> fired; the remote handler is cancelled too.</exception>
    ValueTask<TResponse> CallAsync<TRequest, TResponse>(Method<TRequest, TResponse> method, TRequest request, CallOptions? options = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// A typed client for contract <typeparamref name="TService"/>, a <c>[MicroService]</c>
    /// interface, using the generated proxy (found without reflection).
    /// </summary>
    /// <param name="options">Defaults for every call through the proxy.</param>
    /// <exception cref="InvalidOperationException">No generated code is registered for <typeparamref name="TService"/>.</exception>
    TService For<TService>(CallOptions? options = null) where TService : class;
}
