using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;

namespace MicroGen.Registry;

/// <summary>
/// go-micro's registry: service discovery. Servers register their nodes with a time-to-live and
/// re-register before it runs out; clients look services up and watch for changes.
/// </summary>
/// <remarks>
/// Implementations: <see cref="InMemoryRegistry"/> (in-process), the file-system registry (the
/// embedded default), the caching wrapper (lookups served from memory), and plugins such
/// as etcd. Implementations are thread-safe.
/// </remarks>
public interface IRegistry : IAsyncDisposable
{
    /// <summary>The registry's name, for example <c>memory</c>, <c>file</c> or <c>etcd</c>.</summary>
    string Name { get; }

    /// <summary>
    /// Registers the nodes of <paramref name="service"/>, or refreshes them. A node not refreshed
    /// within <see cref="RegisterOptions.Ttl"/> expires.
    /// </summary>
    ValueTask RegisterAsync(ServiceInfo service, RegisterOptions? options = null, CancellationToken cancellationToken = default);

    /// <summary>Removes the nodes of <paramref name="service"/>.</summary>
    ValueTask DeregisterAsync(ServiceInfo service, CancellationToken cancellationToken = default);

    /// <summary>
    /// The live registrations of service <paramref name="name"/>: one <see cref="ServiceInfo"/> per
    /// version, each with its nodes. Empty when there is none.
    /// </summary>
    ValueTask<IReadOnlyList<ServiceInfo>> GetServiceAsync(string name, CancellationToken cancellationToken = default);

    /// <summary>Every live service, without nodes' details guaranteed.</summary>
    ValueTask<IReadOnlyList<ServiceInfo>> ListServicesAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// Changes to service <paramref name="service"/> (or to every service when null) from now on,
    /// until <paramref name="cancellationToken"/> fires.
    /// </summary>
    IAsyncEnumerable<RegistryEvent> WatchAsync(string? service = null, CancellationToken cancellationToken = default);
}
