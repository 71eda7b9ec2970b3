using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace MicroGen.Registry;

/// <summary>
/// Wraps any registry so that <see cref="GetServiceAsync"/> is served from memory (go-micro's
/// <c>registry/cache</c>): the first lookup of a service goes to the inner registry, later ones are
/// answered from the cache, which a background watch on the inner registry keeps current.
/// </summary>
/// <remarks>
/// <para>
/// Cached entries also expire after <see cref="CachingRegistryOptions.Ttl"/>, a safety net for a
/// missed watch event. Concurrent lookups of a service that is not cached share one inner lookup.
/// When the inner registry fails, the last known entry is served (with a logged warning) rather than
/// failing the call, as a registry outage should not stop traffic to nodes that still run.
/// </para>
/// <para>
/// Registrations pass through and mark the service's entry for a fresh lookup, so a process sees its
/// own registrations at once. <see cref="ListServicesAsync"/> and <see cref="WatchAsync"/> pass
/// through. Disposing stops the background watch; it does not dispose the inner registry, which
/// the caller owns.
/// </para>
/// </remarks>
public sealed class CachingRegistry : IRegistry
{
    private readonly object _gate = new();
    private readonly ConcurrentDictionary<string, CacheEntry> _cache = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Task<IReadOnlyList<ServiceInfo>>> _lookups = new(StringComparer.Ordinal);
    // Bumped (under _gate) by every watch event and invalidation of a service: a lookup that
    // started before a bump may have missed that change, so its result is not trusted as fresh.
    private readonly Dictionary<string, long> _epochs = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stop = new();
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private Task? _watchLoop;
    private int _disposed;

    /// <summary>Creates a cache in front of <paramref name="inner"/>.</summary>
    public CachingRegistry(IRegistry inner, CachingRegistryOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(inner);
        Inner = inner;
        Options = options ?? new CachingRegistryOptions();
        if (Options.Ttl <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(options), Options.Ttl, "Ttl must be positive.");
        }
        if (Options.WatchRetryDelay <= TimeSpan.Zero)
        {
            // Zero would spin on an inner registry whose watch fails at once.
            throw new ArgumentOutOfRangeException(nameof(options), Options.WatchRetryDelay, "WatchRetryDelay must be positive.");
        }
        _time = Options.TimeProvider ?? TimeProvider.System;
        _logger = Options.LoggerFactory?.CreateLogger<CachingRegistry>() ?? NullLogger<CachingRegistry>.Instance;
    }

    /// <summary>The registry looked up on a cache miss and watched.</summary>
    public IRegistry Inner { get; }

    /// <summary>The cache's options.</summary>
    public CachingRegistryOptions Options { get; }

    /// <inheritdoc/>
    public string Name => "cache";

    /// <inheritdoc/>
    public async ValueTask RegisterAsync(ServiceInfo service, RegisterOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(service);
        await Inner.RegisterAsync(service, options, cancellationToken).ConfigureAwait(false);
        Invalidate(service.Name);
    }

    /// <inheritdoc/>
    public async ValueTask DeregisterAsync(ServiceInfo service, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(service);
        await Inner.DeregisterAsync(service, cancellationToken).ConfigureAwait(false);
        Invalidate(service.Name);
    }

    /// <inheritdoc/>
    public async ValueTask<IReadOnlyList<ServiceInfo>> GetServiceAsync(string name, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        EnsureWatching();
        if (_cache.TryGetValue(name, out var entry) && _time.GetUtcNow() < entry.FreshUntil)
        {
            return entry.Services;
        }

        // One inner lookup per service at a time; every concurrent caller awaits the same one, each
        // with its own cancellation.
        var mine = new TaskCompletionSource<IReadOnlyList<ServiceInfo>>(TaskCreationOptions.RunContinuationsAsynchronously);
        var lookup = _lookups.GetOrAdd(name, mine.Task);
        if (ReferenceEquals(lookup, mine.Task))
        {
            _ = LookUpAsync(name, mine);
        }
        return await lookup.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public ValueTask<IReadOnlyList<ServiceInfo>> ListServicesAsync(CancellationToken cancellationToken = default) =>
        Inner.ListServicesAsync(cancellationToken);

    /// <inheritdoc/>
    public IAsyncEnumerable<RegistryEvent> WatchAsync(string? service = null, CancellationToken cancellationToken = default) =>
        Inner.WatchAsync(service, cancellationToken);

    /// <summary>Stops the background watch. The inner registry is left open.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }
        _stop.Cancel();
        Task? loop;
        lock (_gate)
        {
            loop = _watchLoop;
        }
        if (loop is not null)
        {
            await loop.ConfigureAwait(false); // never faults: the loop catches everything
        }
    }

    private async Task LookUpAsync(string name, TaskCompletionSource<IReadOnlyList<ServiceInfo>> completion)
    {
        long epoch;
        lock (_gate)
        {
            epoch = EpochOf(name);
        }
        try
        {
            var services = await Inner.GetServiceAsync(name, _stop.Token).ConfigureAwait(false);
            lock (_gate)
            {
                // A change seen by the watch while this lookup ran may or may not be in its result:
                // serve it, but look up again next time.
                var freshUntil = EpochOf(name) == epoch ? _time.GetUtcNow() + Options.Ttl : DateTimeOffset.MinValue;
                _cache[name] = new CacheEntry(services, freshUntil);
            }
            completion.TrySetResult(services);
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
            completion.TrySetException(new ObjectDisposedException(nameof(CachingRegistry)));
        }
        catch (Exception e)
        {
            if (_cache.TryGetValue(name, out var stale))
            {
                RegistryLog.ServingStale(_logger, name, Inner.Name, e);
                completion.TrySetResult(stale.Services);
            }
            else
            {
                completion.TrySetException(e);
            }
        }
        finally
        {
            _lookups.TryRemove(new KeyValuePair<string, Task<IReadOnlyList<ServiceInfo>>>(name, completion.Task));
        }
    }

    private long EpochOf(string name) => _epochs.TryGetValue(name, out var epoch) ? epoch : 0;

    private void Invalidate(string name)
    {
        lock (_gate)
        {
            _epochs[name] = EpochOf(name) + 1;
            if (_cache.TryGetValue(name, out var entry))
            {
                // Kept, not removed: it is still the fallback if the next lookup fails.
                _cache[name] = entry with { FreshUntil = DateTimeOffset.MinValue };
            }
        }
    }

    private void InvalidateAll()
    {
        lock (_gate)
        {
            foreach (var name in _cache.Keys)
            {
                Invalidate(name);
            }
        }
    }

    private void EnsureWatching()
    {
        if (Volatile.Read(ref _watchLoop) is not null)
        {
            return;
        }
        lock (_gate)
        {
            if (_watchLoop is null && !_stop.IsCancellationRequested)
            {
                // Runs synchronously up to its first pending await, which subscribes the watch
                // before the first lookup goes out: no change falls between the two.
                _watchLoop = WatchLoopAsync();
            }
        }
    }

    private async Task WatchLoopAsync()
    {
        var token = _stop.Token;
        var failures = 0;
        while (!token.IsCancellationRequested)
        {
            IAsyncEnumerator<RegistryEvent>? events = null;
            Exception? failure = null;
            try
            {
                events = Inner.WatchAsync(null, token).GetAsyncEnumerator(token);
                var pending = events.MoveNextAsync();
                if (failures > 0)
                {
                    // Events may have been missed while the watch was down.
                    InvalidateAll();
                    RegistryLog.CacheWatchRestarted(_logger, Inner.Name);
                }
                while (await pending.ConfigureAwait(false))
                {
                    failures = 0;
                    Apply(events.Current);
                    pending = events.MoveNextAsync();
                }
            }
            catch (OperationCanceledException) when (token.IsCancellationRequested)
            {
                break;
            }
            catch (Exception e)
            {
                failure = e;
            }
            finally
            {
                if (events is not null)
                {
                    try
                    {
                        await events.DisposeAsync().ConfigureAwait(false);
                    }
                    catch (Exception e) when (e is not OutOfMemoryException)
                    {
                        // The watch is being replaced anyway.
                    }
                }
            }
            if (token.IsCancellationRequested)
            {
                break;
            }
            if (failures++ == 0)
            {
                RegistryLog.CacheWatchFailed(_logger, Inner.Name, Options.WatchRetryDelay, failure);
            }
            try
            {
                await Task.Delay(Options.WatchRetryDelay, _time, token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }
    }

    private void Apply(RegistryEvent evt)
    {
        var name = evt.Service.Name;
        lock (_gate)
        {
            _epochs[name] = EpochOf(name) + 1;
            if (_cache.TryGetValue(name, out var entry))
            {
                _cache[name] = entry with { Services = Apply(entry.Services, evt) };
            }
        }
    }

    /// <summary>The services after <paramref name="evt"/>: its nodes added, replaced or removed in its version.</summary>
    internal static IReadOnlyList<ServiceInfo> Apply(IReadOnlyList<ServiceInfo> services, RegistryEvent evt)
    {
        var changed = evt.Service;
        var result = new List<ServiceInfo>(services.Count + 1);
        var versionFound = false;
        foreach (var service in services)
        {
            if (service.Version != changed.Version)
            {
                result.Add(service);
                continue;
            }
            versionFound = true;
            var nodes = new List<Node>(service.Nodes.Count + changed.Nodes.Count);
            foreach (var node in service.Nodes)
            {
                if (!ContainsNode(changed.Nodes, node.Id))
                {
                    nodes.Add(node);
                }
            }
            if (evt.Kind != RegistryEventKind.Delete)
            {
                nodes.AddRange(changed.Nodes);
                nodes.Sort(static (a, b) => string.CompareOrdinal(a.Id, b.Id));
                // The newest registration speaks for the version's metadata and endpoints.
                result.Add(changed with { Nodes = nodes });
            }
            else if (nodes.Count > 0)
            {
                result.Add(service with { Nodes = nodes });
            }
        }
        if (!versionFound && evt.Kind != RegistryEventKind.Delete && changed.Nodes.Count > 0)
        {
            result.Add(changed);
            result.Sort(static (a, b) => string.CompareOrdinal(a.Version, b.Version));
        }
        return result;
    }

    private static bool ContainsNode(IReadOnlyList<Node> nodes, string id)
    {
        foreach (var node in nodes)
        {
            if (node.Id == id)
            {
                return true;
            }
        }
        return false;
    }

    private sealed record CacheEntry(IReadOnlyList<ServiceInfo> Services, DateTimeOffset FreshUntil);
}
