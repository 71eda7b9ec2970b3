using System;
using System.Collections.Generic;
using System.Runtime.CompilerServices;
using System.Threading;
using System.Threading.Tasks;
using MicroGen.Registry;

namespace MicroGen.Registry.Tests;

/// <summary>A pass-through registry that counts lookups and watches, and can hold or fail them on demand.</summary>
internal sealed class CountingRegistry(IRegistry inner) : IRegistry
{
    private int _lookups;
    private int _activeWatches;
    private int _watchStarts;

    public int Lookups => Volatile.Read(ref _lookups);

    public int ActiveWatches => Volatile.Read(ref _activeWatches);

    public int WatchStarts => Volatile.Read(ref _watchStarts);

    /// <summary>When set, lookups wait for this task before reaching the inner registry.</summary>
    public Task? HoldLookups { get; set; }

    /// <summary>When set, lookups throw it.</summary>
    public Exception? FailLookups { get; set; }

    /// <summary>How many of the next watches fail as soon as they start.</summary>
    public int FailNextWatches { get; set; }

    public string Name => "counting";

    public ValueTask RegisterAsync(ServiceInfo service, RegisterOptions? options = null, CancellationToken cancellationToken = default) =>
        inner.RegisterAsync(service, options, cancellationToken);

    public ValueTask DeregisterAsync(ServiceInfo service, CancellationToken cancellationToken = default) =>
        inner.DeregisterAsync(service, cancellationToken);

    public async ValueTask<IReadOnlyList<ServiceInfo>> GetServiceAsync(string name, CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref _lookups);
        if (HoldLookups is { } hold)
        {
            await hold.WaitAsync(cancellationToken);
        }
        if (FailLookups is { } failure)
        {
            throw failure;
        }
        return await inner.GetServiceAsync(name, cancellationToken);
    }

    public ValueTask<IReadOnlyList<ServiceInfo>> ListServicesAsync(CancellationToken cancellationToken = default) =>
        inner.ListServicesAsync(cancellationToken);

    public async IAsyncEnumerable<RegistryEvent> WatchAsync(string? service = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref _watchStarts);
        if (FailNextWatches > 0)
        {
            FailNextWatches--;
            throw new InvalidOperationException("watch failed (test)");
        }
        Interlocked.Increment(ref _activeWatches);
        try
        {
            await foreach (var evt in inner.WatchAsync(service, cancellationToken))
            {
                yield return evt;
            }
        }
        finally
        {
            Interlocked.Decrement(ref _activeWatches);
        }
    }

    public ValueTask DisposeAsync() => inner.DisposeAsync();
}
