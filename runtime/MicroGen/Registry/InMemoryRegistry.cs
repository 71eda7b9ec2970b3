using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Collections.ObjectModel;
using System.Linq;
using System.Runtime.CompilerServices;
using System.Threading;
using System.Threading.Channels;
using System.Threading.Tasks;

namespace MicroGen.Registry;

/// <summary>
/// A registry held in memory: services in one process find each other through one shared
/// instance. Registrations expire after their TTL like in any other registry: lookups ignore
/// expired nodes, and watchers get a <see cref="RegistryEventKind.Delete"/> event when one expires.
/// </summary>
public sealed class InMemoryRegistry : IRegistry
{
    private readonly object _gate = new();
    // name -> version -> node id -> entry
    private readonly Dictionary<string, Dictionary<string, Dictionary<string, Entry>>> _services = new(StringComparer.Ordinal);
    private readonly List<Watcher> _watchers = new();
    // name -> the last lookup's result, served without the lock or a copy until a node in it expires
    // or the service's registrations change (both drop it under the lock).
    private readonly ConcurrentDictionary<string, Snapshot> _snapshots = new(StringComparer.Ordinal);
    private readonly TimeProvider _time;
    private ITimer? _sweeper;

    /// <summary>Creates an empty registry.</summary>
    /// <param name="timeProvider">The clock deciding expiry; defaults to <see cref="TimeProvider.System"/>.</param>
    public InMemoryRegistry(TimeProvider? timeProvider = null) => _time = timeProvider ?? TimeProvider.System;

    /// <summary>
    /// The registry shared by every service in this process that is created without one, so that
    /// in-process services find each other with no set-up.
    /// </summary>
    public static InMemoryRegistry Shared { get; } = new();

    /// <inheritdoc/>
    public string Name => "memory";

    /// <inheritdoc/>
    public ValueTask RegisterAsync(ServiceInfo service, RegisterOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(service);
        var expires = _time.GetUtcNow() + (options ?? RegisterOptions.Default).Ttl;
        List<RegistryEvent> events = new();
        lock (_gate)
        {
            _snapshots.TryRemove(service.Name, out _);
            var versions = GetOrAdd(_services, service.Name);
            var nodes = GetOrAdd(versions, service.Version);
            foreach (var node in service.Nodes)
            {
                var entry = new Entry(service with { Nodes = new[] { node } }, node, expires);
                var existed = nodes.TryGetValue(node.Id, out var previous) && previous.Expires > _time.GetUtcNow();
                nodes[node.Id] = entry;
                if (!existed || !previous!.Service.Equals(entry.Service))
                {
                    events.Add(new RegistryEvent(existed ? RegistryEventKind.Update : RegistryEventKind.Create, entry.Service));
                }
            }
            // Published under the lock, so that watchers see concurrent changes in the order they were applied.
            Publish(events);
            ScheduleSweep();
        }
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc/>
    public ValueTask DeregisterAsync(ServiceInfo service, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(service);
        List<RegistryEvent> events = new();
        lock (_gate)
        {
            _snapshots.TryRemove(service.Name, out _);
            if (_services.TryGetValue(service.Name, out var versions) && versions.TryGetValue(service.Version, out var nodes))
            {
                foreach (var node in service.Nodes)
                {
                    if (nodes.Remove(node.Id, out var entry))
                    {
                        events.Add(new RegistryEvent(RegistryEventKind.Delete, entry.Service));
                    }
                }
            }
            Publish(events);
        }
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc/>
    /// <remarks>
    /// Every call routed through this registry looks its service up, so a lookup is served from the
    /// previous one's result (no lock, no copy) until one of its nodes expires or the service is
    /// registered or deregistered again. The list returned is shared and read-only.
    /// </remarks>
    public ValueTask<IReadOnlyList<ServiceInfo>> GetServiceAsync(string name, CancellationToken cancellationToken = default)
    {
        if (_snapshots.TryGetValue(name, out var snapshot) && _time.GetUtcNow() < snapshot.ValidUntil)
        {
            return new ValueTask<IReadOnlyList<ServiceInfo>>(snapshot.Services);
        }
        List<RegistryEvent> expired = new();
        IReadOnlyList<ServiceInfo> result;
        lock (_gate)
        {
            if (_services.TryGetValue(name, out var versions))
            {
                var services = Collect(versions, expired, out var validUntil);
                result = services.Count == 0 ? Array.Empty<ServiceInfo>() : new ReadOnlyCollection<ServiceInfo>(services);
                _snapshots[name] = new Snapshot(result, validUntil);
            }
            else
            {
                result = Array.Empty<ServiceInfo>();
            }
            Publish(expired);
        }
        return new ValueTask<IReadOnlyList<ServiceInfo>>(result);
    }

    /// <inheritdoc/>
    public ValueTask<IReadOnlyList<ServiceInfo>> ListServicesAsync(CancellationToken cancellationToken = default)
    {
        List<RegistryEvent> expired = new();
        List<ServiceInfo> result = new();
        lock (_gate)
        {
            foreach (var versions in _services.Values)
            {
                result.AddRange(Collect(versions, expired));
            }
            Publish(expired);
        }
        result.Sort(static (a, b) => string.CompareOrdinal(a.Name, b.Name));
        return new ValueTask<IReadOnlyList<ServiceInfo>>(result);
    }

    /// <inheritdoc/>
    public async IAsyncEnumerable<RegistryEvent> WatchAsync(string? service = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var watcher = new Watcher(service);
        lock (_gate)
        {
            _watchers.Add(watcher);
            ScheduleSweep();
        }
        try
        {
            while (true)
            {
                RegistryEvent evt;
                try
                {
                    evt = await watcher.Events.Reader.ReadAsync(cancellationToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
                {
                    yield break;
                }
                catch (ChannelClosedException)
                {
                    yield break;
                }
                yield return evt;
            }
        }
        finally
        {
            lock (_gate)
            {
                _watchers.Remove(watcher);
            }
        }
    }

    /// <inheritdoc/>
    public ValueTask DisposeAsync()
    {
        lock (_gate)
        {
            foreach (var watcher in _watchers)
            {
                watcher.Events.Writer.TryComplete();
            }
            _watchers.Clear();
            _sweeper?.Dispose();
            _sweeper = null;
        }
        return ValueTask.CompletedTask;
    }

    private List<ServiceInfo> Collect(Dictionary<string, Dictionary<string, Entry>> versions, List<RegistryEvent> expired) =>
        Collect(versions, expired, out _);

    /// <summary>The live services of one name; <paramref name="validUntil"/>: when the first of their nodes expires.</summary>
    private List<ServiceInfo> Collect(Dictionary<string, Dictionary<string, Entry>> versions, List<RegistryEvent> expired, out DateTimeOffset validUntil)
    {
        var now = _time.GetUtcNow();
        validUntil = DateTimeOffset.MaxValue;
        var result = new List<ServiceInfo>(versions.Count);
        foreach (var nodes in versions.Values)
        {
            ServiceInfo? merged = null;
            List<Node>? live = null;
            foreach (var (id, entry) in nodes.ToArray())
            {
                if (entry.Expires <= now)
                {
                    nodes.Remove(id);
                    expired.Add(new RegistryEvent(RegistryEventKind.Delete, entry.Service));
                    continue;
                }
                merged ??= entry.Service;
                (live ??= new List<Node>()).Add(entry.Node);
                if (entry.Expires < validUntil)
                {
                    validUntil = entry.Expires;
                }
            }
            if (merged is not null)
            {
                live!.Sort(static (a, b) => string.CompareOrdinal(a.Id, b.Id));
                result.Add(merged with { Nodes = live.AsReadOnly() });
            }
        }
        return result;
    }

    private void Publish(List<RegistryEvent> events)
    {
        if (events.Count == 0)
        {
            return;
        }
        lock (_gate)
        {
            foreach (var watcher in _watchers)
            {
                foreach (var evt in events)
                {
                    if (watcher.Service is null || watcher.Service == evt.Service.Name)
                    {
                        watcher.Events.Writer.TryWrite(evt);
                    }
                }
            }
        }
    }

    /// <summary>
    /// Arms the timer for the earliest expiry, so that watchers get a Delete event when a node
    /// expires even if nobody looks the service up. Called under the lock.
    /// </summary>
    private void ScheduleSweep()
    {
        if (_watchers.Count == 0)
        {
            return; // lookups drop expired nodes by themselves; only watchers need the timer
        }
        var earliest = DateTimeOffset.MaxValue;
        foreach (var versions in _services.Values)
        {
            foreach (var nodes in versions.Values)
            {
                foreach (var entry in nodes.Values)
                {
                    if (entry.Expires < earliest)
                    {
                        earliest = entry.Expires;
                    }
                }
            }
        }
        if (earliest == DateTimeOffset.MaxValue)
        {
            return;
        }
        var due = earliest - _time.GetUtcNow();
        _sweeper ??= _time.CreateTimer(static state => ((InMemoryRegistry)state!).Sweep(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        _sweeper.Change(due < TimeSpan.Zero ? TimeSpan.Zero : due, Timeout.InfiniteTimeSpan);
    }

    private void Sweep()
    {
        List<RegistryEvent> expired = new();
        lock (_gate)
        {
            foreach (var versions in _services.Values)
            {
                Collect(versions, expired);
            }
            Publish(expired);
            ScheduleSweep();
        }
    }

    private sealed record Snapshot(IReadOnlyList<ServiceInfo> Services, DateTimeOffset ValidUntil);

    private static TValue GetOrAdd<TValue>(Dictionary<string, TValue> map, string key) where TValue : new()
    {
        if (!map.TryGetValue(key, out var value))
        {
            map[key] = value = new TValue();
        }
        return value;
    }

    private sealed record Entry(ServiceInfo Service, Node Node, DateTimeOffset Expires);

    private sealed class Watcher(string? service)
    {
        public string? Service { get; } = service;

        public Channel<RegistryEvent> Events { get; } = Channel.CreateUnbounded<RegistryEvent>(new UnboundedChannelOptions { SingleReader = true });
    }
}
