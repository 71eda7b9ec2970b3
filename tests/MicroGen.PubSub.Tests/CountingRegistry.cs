using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Runtime.CompilerServices;
using System.Threading;
using System.Threading.Tasks;
using MicroGen.Registry;

namespace MicroGen.PubSub.Tests;

/// <summary>
/// A pass-through registry that counts lookups per service name and records which watch events
/// its watchers have consumed (as tests/MicroGen.Registry.Tests' CountingRegistry, plus the latter).
/// </summary>
internal sealed class CountingRegistry(IRegistry inner) : IRegistry
{
    private readonly ConcurrentDictionary<string, int> _lookups = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<RegistryEvent> _consumed = new();
    private TaskCompletionSource _consumedOne = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public string Name => "counting";

    /// <summary>How many times <paramref name="service"/> was looked up.</summary>
    public int Lookups(string service) => _lookups.TryGetValue(service, out var n) ? n : 0;

    /// <summary>
    /// Waits until a watcher has consumed an event matching <paramref name="match"/>: it asked for
    /// the next event after it, so it has acted on it.
    /// </summary>
    public async Task WaitUntilWatcherConsumedAsync(Func<RegistryEvent, bool> match)
    {
        while (true)
        {
            var next = Volatile.Read(ref _consumedOne);
            if (_consumed.Any(match))
            {
                return;
            }
            await next.Task;
        }
    }

    public ValueTask RegisterAsync(ServiceInfo service, RegisterOptions? options = null, CancellationToken cancellationToken = default) =>
        inner.RegisterAsync(service, options, cancellationToken);

    public ValueTask DeregisterAsync(ServiceInfo service, CancellationToken cancellationToken = default) =>
        inner.DeregisterAsync(service, cancellationToken);

    public ValueTask<IReadOnlyList<ServiceInfo>> GetServiceAsync(string name, CancellationToken cancellationToken = default)
    {
        _lookups.AddOrUpdate(name, 1, static (_, n) => n + 1);
        return inner.GetServiceAsync(name, cancellationToken);
    }

    public ValueTask<IReadOnlyList<ServiceInfo>> ListServicesAsync(CancellationToken cancellationToken = default) =>
        inner.ListServicesAsync(cancellationToken);

    public async IAsyncEnumerable<RegistryEvent> WatchAsync(string? service = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await foreach (var evt in inner.WatchAsync(service, cancellationToken))
        {
            yield return evt;
            // Runs when the watcher asks for the next event, i.e. once it has handled this one.
            _consumed.Enqueue(evt);
            Interlocked.Exchange(ref _consumedOne, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
        }
    }

    public ValueTask DisposeAsync() => inner.DisposeAsync();
}
