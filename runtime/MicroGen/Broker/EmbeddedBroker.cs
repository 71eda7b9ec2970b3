using System;
using System.Buffers;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using MicroGen.Broker.Internal;
using MicroGen.Internal;
using MicroGen.Registry;
using MicroGen.Transport;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace MicroGen.Broker;

/// <summary>
/// The embedded cross-process broker, modelled on go-micro's http broker: no server to install.
/// Each subscribing process listens on the <see cref="ITransport"/> and registers one node per
/// subscription in the <see cref="IRegistry"/>; a publisher looks the topic's subscribers up
/// (cached, invalidated by a registry watch) and sends the message straight to every plain
/// subscriber and to one member of each queue group, waiting for each to acknowledge.
/// </summary>
/// <remarks>
/// <para>Registry layout: service <c>microgen.broker:{topic}</c> (<see cref="ServiceName"/>),
/// version <c>{queue}</c> or <c>broadcast</c>, one node per subscription with id
/// <c>{brokerId}-{n}</c>, the broker's listen address, and metadata <c>broker=embedded</c>,
/// <c>topic</c>, <c>subscription</c>, <c>queue</c> (queue-group members only) and
/// <c>transport</c>.</para>
/// <para>Delivery: one unary transport request per target (service <c>microgen.broker</c>,
/// endpoint = topic, <c>Micro-Id</c> = message id, the user's headers plus
/// <c>Micro-Subscription</c>, <c>Micro-Publisher</c>, <c>Micro-Timestamp</c>); an empty reply
/// acknowledges, an error reply reports the handler's failure. Transport failures are retried
/// with back-off (<see cref="EmbeddedBrokerOptions.MaxDeliveryAttempts"/>), a queue group failing
/// over to its other members first. Guarantees are in <c>docs/PUBSUB.md</c>.</para>
/// </remarks>
public sealed class EmbeddedBroker : IBroker
{
    /// <summary>The prefix of the registry service names of topics.</summary>
    public const string ServicePrefix = "microgen.broker:";

    /// <summary>The registry version of plain (non-queue) subscribers.</summary>
    public const string BroadcastVersion = "broadcast";

    /// <summary>Node metadata keys of subscriber nodes.</summary>
    public static class NodeMetadata
    {
        /// <summary><c>broker</c>: always <c>embedded</c>.</summary>
        public const string Broker = "broker";

        /// <summary><c>topic</c>: the topic subscribed to.</summary>
        public const string Topic = "topic";

        /// <summary><c>queue</c>: the queue group; absent for plain subscribers.</summary>
        public const string Queue = "queue";

        /// <summary><c>subscription</c>: the subscription id, sent back with each delivery.</summary>
        public const string Subscription = "subscription";
    }

    private static readonly TimeSpan UnreachableFor = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan WatchRetryDelay = TimeSpan.FromSeconds(1);

    private readonly ConcurrentDictionary<string, Registered> _subscriptions = new(StringComparer.Ordinal);
    private readonly ConnectionPool _connections;
    private readonly ConcurrentDictionary<string, CacheEntry> _cache = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, long> _unreachableUntil = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, StrongBox> _turns = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _startLock = new(1, 1);
    private readonly CancellationTokenSource _disposing = new();
    private readonly ILogger _logger;
    private readonly string _id;
    private readonly DeliveryHandler _handler;
    private ITransportListener? _listener;
    private Task? _heartbeat;
    private Task? _watch;
    private long _generation;
    private long _nextSubscription;
    private int _disposed;

    /// <summary>Creates a broker; it listens only once something subscribes.</summary>
    public EmbeddedBroker(EmbeddedBrokerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Transport is null)
        {
            throw new ArgumentException("EmbeddedBrokerOptions.Transport is required", nameof(options));
        }
        if (options.Registry is null)
        {
            throw new ArgumentException("EmbeddedBrokerOptions.Registry is required", nameof(options));
        }
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxDeliveryAttempts, 1, nameof(options.MaxDeliveryAttempts));
        ArgumentNullException.ThrowIfNull(options.TimeProvider, nameof(options.TimeProvider));
        Options = options;
        _connections = new ConnectionPool(options.Transport);
        _id = options.Id ?? "broker-" + Guid.NewGuid().ToString("N")[..12];
        _logger = options.LoggerFactory?.CreateLogger<EmbeddedBroker>() ?? NullLogger<EmbeddedBroker>.Instance;
        _handler = new DeliveryHandler(this);
    }

    /// <summary>The broker's options.</summary>
    public EmbeddedBrokerOptions Options { get; }

    /// <inheritdoc/>
    public string Name => "embedded";

    /// <inheritdoc/>
    /// <remarks>Where this process receives deliveries: null until the first subscription.</remarks>
    public string? Address { get; private set; }

    /// <summary>The registry service name subscribers of <paramref name="topic"/> register under.</summary>
    public static string ServiceName(string topic) => ServicePrefix + topic;

    /// <inheritdoc/>
    /// <remarks>Publishing needs no connection and the listener starts with the first subscription, so this only checks the broker is usable.</remarks>
    public ValueTask ConnectAsync(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc/>
    public async ValueTask<PublishResult> PublishAsync(BrokerMessage message, PublishOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(message);
        ArgumentException.ThrowIfNullOrEmpty(message.Topic);
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        options ??= PublishOptions.Default;

        var nodes = await LookupAsync(message.Topic, fresh: false, cancellationToken).ConfigureAwait(false);
        var timeout = options.Timeout ?? Options.DeliveryTimeout;
        var targets = new List<Task<DeliveryReport>>();
        foreach (var node in nodes)
        {
            if (QueueOf(node) is null)
            {
                targets.Add(DeliverAsync(message.Topic, null, new List<Node> { node }, message, timeout, cancellationToken));
            }
        }
        foreach (var group in nodes.Where(static n => QueueOf(n) is not null).GroupBy(static n => QueueOf(n)!, StringComparer.Ordinal))
        {
            targets.Add(DeliverAsync(message.Topic, group.Key, group.ToList(), message, timeout, cancellationToken));
        }

        var reports = targets.Count == 0 ? Array.Empty<DeliveryReport>() : await Task.WhenAll(targets).ConfigureAwait(false);
        var result = new PublishResult(message.Id, message.Topic, reports);
        if (!result.Succeeded || (result.NoSubscribers && !options.AllowNoSubscribers))
        {
            BrokerLog.PublishFailed(_logger, result);
            throw PublishException.For(result);
        }
        return result;
    }

    /// <inheritdoc/>
    public async ValueTask<ISubscription> SubscribeAsync(string topic, BrokerHandler handler, SubscribeOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(topic);
        ArgumentNullException.ThrowIfNull(handler);
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        options ??= SubscribeOptions.Default;
        await EnsureListeningAsync(cancellationToken).ConfigureAwait(false);

        var id = $"{_id}-{Interlocked.Increment(ref _nextSubscription).ToString(CultureInfo.InvariantCulture)}";
        var local = new LocalSubscription(id, topic, handler, options, _logger);
        var registered = new Registered(local, Describe(local));
        _subscriptions[id] = registered;
        try
        {
            await Options.Registry.RegisterAsync(registered.Service, new RegisterOptions(Options.RegisterTtl), cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            _subscriptions.TryRemove(id, out _);
            await local.StopAsync(TimeSpan.Zero).ConfigureAwait(false);
            throw;
        }
        EnsureHeartbeat();
        BrokerLog.Subscribed(_logger, id, topic, options.Queue, Address!);
        return new Subscription(this, registered);
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }
        _disposing.Cancel();
        foreach (var registered in _subscriptions.Values.ToArray())
        {
            await UnsubscribeAsync(registered).ConfigureAwait(false);
        }
        if (_heartbeat is not null)
        {
            await _heartbeat.ConfigureAwait(false);
        }
        if (_watch is not null)
        {
            await _watch.ConfigureAwait(false);
        }
        if (_listener is not null)
        {
            await _listener.DrainAsync().ConfigureAwait(false);
            await _listener.DisposeAsync().ConfigureAwait(false);
        }
        await _connections.DisposeAsync().ConfigureAwait(false);
    }

    // ---- publisher side ----

    private static string? QueueOf(Node node) => node.Metadata.TryGetValue(NodeMetadata.Queue, out var queue) ? queue : null;

    /// <summary>
    /// Delivers to one target, a plain subscriber (one node) or a queue group (its members): each
    /// round tries members in round-robin order, reachable ones first, until one acknowledges or
    /// rejects; a round where all failed for transport reasons is retried after a back-off with a
    /// fresh lookup, up to <see cref="EmbeddedBrokerOptions.MaxDeliveryAttempts"/> rounds.
    /// </summary>
    private async Task<DeliveryReport> DeliverAsync(string topic, string? queue, List<Node> members, BrokerMessage message, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var target = queue is null ? members[0].Id : queue;
        var attempts = 0;
        var mayHaveRun = 0;
        var delay = Options.RetryDelay;
        var gone = new HashSet<string>(StringComparer.Ordinal);
        var last = members[0].Id;
        for (var round = 1; ; round++)
        {
            MicroError? transportError = null;
            foreach (var node in Order(topic, queue, members))
            {
                if (gone.Contains(node.Id))
                {
                    continue;
                }
                attempts++;
                last = node.Id;
                var attempt = await SendAsync(node, message, mayHaveRun, timeout, cancellationToken).ConfigureAwait(false);
                switch (attempt.Kind)
                {
                    case AttemptKind.Delivered:
                        _unreachableUntil.TryRemove(node.Address, out _);
                        return new DeliveryReport(node.Id, queue, DeliveryOutcome.Delivered, attempts);
                    case AttemptKind.Rejected:
                        return new DeliveryReport(node.Id, queue, DeliveryOutcome.Failed, attempts, attempt.Error);
                    case AttemptKind.Gone:
                        gone.Add(node.Id);
                        Invalidate();
                        break;
                    default:
                        transportError = attempt.Error;
                        mayHaveRun += attempt.MayHaveRun ? 1 : 0;
                        _unreachableUntil[node.Address] = Environment.TickCount64 + (long)UnreachableFor.TotalMilliseconds;
                        Invalidate();
                        BrokerLog.DeliveryRetrying(_logger, message.Id, topic, node.Id, attempts, attempt.Error!.Detail);
                        break;
                }
            }
            if (transportError is null)
            {
                // Everyone left between the lookup and the delivery: nobody wants the message any more.
                return new DeliveryReport(last, queue, DeliveryOutcome.Unsubscribed, attempts);
            }
            if (round >= Options.MaxDeliveryAttempts)
            {
                var detail = queue is null
                    ? $"subscriber unreachable: {transportError.Detail}"
                    : $"no member of the queue group could be reached: {transportError.Detail}";
                return new DeliveryReport(last, queue, DeliveryOutcome.Failed, attempts,
                    MicroError.Create(BrokerIds.Broker, MicroStatusCode.ServiceUnavailable, detail));
            }
            await Task.Delay(delay, Options.TimeProvider, cancellationToken).ConfigureAwait(false);
            delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, Options.MaxRetryDelay.Ticks));

            // Look again: a dead member may have been replaced, or the subscriber may have left.
            var fresh = await LookupAsync(topic, fresh: true, cancellationToken).ConfigureAwait(false);
            var again = queue is null
                ? fresh.Where(n => n.Id == target).ToList()
                : fresh.Where(n => QueueOf(n) == queue && !gone.Contains(n.Id)).ToList();
            if (again.Count == 0)
            {
                // Deregistered (it stopped cleanly or expired) while we retried: it no longer subscribes.
                return new DeliveryReport(last, queue, DeliveryOutcome.Unsubscribed, attempts);
            }
            members = again;
        }
    }

    /// <summary>The members in delivery order: round robin per group, members recently unreachable last.</summary>
    private IEnumerable<Node> Order(string topic, string? queue, List<Node> members)
    {
        if (members.Count == 1)
        {
            return members;
        }
        var turn = _turns.GetOrAdd(topic + "\n" + queue, static _ => new StrongBox());
        var start = (int)((uint)Interlocked.Increment(ref turn.Value) % (uint)members.Count);
        var now = Environment.TickCount64;
        var ordered = new List<Node>(members.Count);
        var later = new List<Node>();
        for (var i = 0; i < members.Count; i++)
        {
            var node = members[(start + i) % members.Count];
            (_unreachableUntil.TryGetValue(node.Address, out var until) && until > now ? later : ordered).Add(node);
        }
        ordered.AddRange(later);
        return ordered;
    }

    private async Task<Attempt> SendAsync(Node node, BrokerMessage message, int redelivered, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var headers = message.Headers?.Clone() ?? new Metadata();
        headers[Envelope.Subscription] = node.Metadata.TryGetValue(NodeMetadata.Subscription, out var subscription) ? subscription : node.Id;
        headers[Envelope.Timestamp] = message.Timestamp.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture);
        if (message.Publisher is { Length: > 0 } publisher)
        {
            headers[Envelope.Publisher] = publisher;
        }
        if (redelivered > 0)
        {
            headers[Envelope.Redelivered] = redelivered.ToString(CultureInfo.InvariantCulture);
        }
        var request = new TransportRequest
        {
            Service = Envelope.Service,
            Endpoint = message.Topic,
            ContentType = message.ContentType,
            Id = message.Id,
            Timeout = timeout,
            Metadata = headers,
            Body = new ReadOnlySequence<byte>(message.Body),
        };

        using var deadline = new CancellationTokenSource(timeout);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadline.Token);
        try
        {
            var connection = await GetConnectionAsync(node.Address, linked.Token).ConfigureAwait(false);
            using var response = await connection.InvokeAsync(request, linked.Token).ConfigureAwait(false);
            if (response.Error is not { } error)
            {
                return new Attempt(AttemptKind.Delivered, null, false);
            }
            if (LocalSubscription.IsGone(error))
            {
                return new Attempt(AttemptKind.Gone, error, false);
            }
            return new Attempt(AttemptKind.Rejected, error, false);
        }
        catch (TransportException e)
        {
            return new Attempt(AttemptKind.Transport,
                MicroError.Create(BrokerIds.Broker, MicroStatusCode.ServiceUnavailable, $"{node.Address}: {e.Message}"),
                !e.NotProcessed);
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            // Not retried: the handler may still be running, and a retry would run it twice.
            return new Attempt(AttemptKind.Rejected,
                MicroError.Create(BrokerIds.Broker, MicroStatusCode.Timeout, $"not acknowledged by {node.Address} within {timeout.TotalMilliseconds:0} ms"),
                true);
        }
    }

    private ValueTask<ITransportConnection> GetConnectionAsync(string address, CancellationToken cancellationToken) =>
        _connections.GetAsync(address, cancellationToken);

    /// <summary>The topic's subscriber nodes: from the cache unless stale, else from the registry.</summary>
    private async ValueTask<Node[]> LookupAsync(string topic, bool fresh, CancellationToken cancellationToken)
    {
        EnsureWatching();
        var now = Environment.TickCount64;
        var generation = Interlocked.Read(ref _generation);
        if (!fresh && _cache.TryGetValue(topic, out var cached) && cached.Generation == generation
            && now - cached.FetchedAt < (long)Options.CacheTtl.TotalMilliseconds)
        {
            return cached.Nodes;
        }
        var services = await Options.Registry.GetServiceAsync(ServiceName(topic), cancellationToken).ConfigureAwait(false);
        var nodes = services
            .SelectMany(static s => s.Nodes)
            .Where(n => n.Metadata.TryGetValue(NodeMetadata.Topic, out var t) && t == topic)
            .DistinctBy(static n => n.Id)
            .OrderBy(static n => n.Id, StringComparer.Ordinal)
            .ToArray();
        if (nodes.Length > 0)
        {
            _cache[topic] = new CacheEntry(nodes, generation, now);
        }
        else
        {
            // Never cache "nobody": a subscriber that just started must be found on the next publish.
            _cache.TryRemove(topic, out _);
        }
        return nodes;
    }

    private void Invalidate() => Interlocked.Increment(ref _generation);

    private void EnsureWatching()
    {
        if (Volatile.Read(ref _watch) is not null || _disposed != 0)
        {
            return;
        }
        lock (_cache)
        {
            if (_watch is null)
            {
                // Called directly, not through Task.Run: the watch method runs synchronously up to its
                // first wait for an event, so the registry has the watcher in place before the first
                // lookup is cached and a subscriber registering right after cannot be missed.
                _watch = WatchAsync(_disposing.Token);
            }
        }
    }

    private async Task WatchAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await foreach (var evt in Options.Registry.WatchAsync(null, cancellationToken).ConfigureAwait(false))
                {
                    if (evt.Service.Name.StartsWith(ServicePrefix, StringComparison.Ordinal))
                    {
                        Invalidate();
                    }
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                BrokerLog.WatchFailed(_logger, e);
            }
            // The watch ended or failed: events may have been missed, so drop the cache and watch again.
            Invalidate();
            try
            {
                await Task.Delay(WatchRetryDelay, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    // ---- subscriber side ----

    private async ValueTask EnsureListeningAsync(CancellationToken cancellationToken)
    {
        if (_listener is not null)
        {
            return;
        }
        await _startLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_listener is not null)
            {
                return;
            }
            var address = Options.Address ?? Environment.GetEnvironmentVariable(EmbeddedBrokerOptions.AddressEnvironmentVariable);
            if (string.IsNullOrWhiteSpace(address))
            {
                address = EmbeddedBrokerOptions.DefaultAddress;
            }
            var listener = await Options.Transport.ListenAsync(address, _handler, cancellationToken).ConfigureAwait(false);
            Address = Options.Advertise ?? Addresses.Advertisable(listener.Address);
            _listener = listener;
        }
        finally
        {
            _startLock.Release();
        }
    }

    private ServiceInfo Describe(LocalSubscription local)
    {
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            [NodeMetadata.Broker] = Name,
            [NodeMetadata.Topic] = local.Topic,
            [NodeMetadata.Subscription] = local.Id,
            ["transport"] = Options.Transport.Name,
        };
        if (local.Queue is { } queue)
        {
            metadata[NodeMetadata.Queue] = queue;
        }
        return new ServiceInfo
        {
            Name = ServiceName(local.Topic),
            Version = local.Queue ?? BroadcastVersion,
            Nodes = new[] { new Node { Id = local.Id, Address = Address!, Metadata = metadata } },
        };
    }

    private void EnsureHeartbeat()
    {
        if (Volatile.Read(ref _heartbeat) is null)
        {
            var started = new Task<Task>(() => HeartbeatAsync(_disposing.Token));
            if (Interlocked.CompareExchange(ref _heartbeat, started.Unwrap(), null) is null)
            {
                started.Start(TaskScheduler.Default);
            }
        }
    }

    private async Task HeartbeatAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(Options.RegisterInterval);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
            {
                foreach (var registered in _subscriptions.Values)
                {
                    if (!registered.Local.IsActive)
                    {
                        continue;
                    }
                    try
                    {
                        await Options.Registry.RegisterAsync(registered.Service, new RegisterOptions(Options.RegisterTtl), cancellationToken).ConfigureAwait(false);
                    }
                    catch (Exception e) when (e is not OperationCanceledException)
                    {
                        // A registry outage must not end the subscriptions: retry on the next tick.
                        BrokerLog.HeartbeatFailed(_logger, e);
                    }
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    private async ValueTask UnsubscribeAsync(Registered registered)
    {
        if (Interlocked.Exchange(ref registered.Stopped, 1) != 0)
        {
            return;
        }
        // Leave the registry first so that publishers stop choosing this node, then let in-flight handlers finish;
        // deliveries racing with this are answered "gone" and go to another member of the group.
        try
        {
            await Options.Registry.DeregisterAsync(registered.Service).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            BrokerLog.DeregisterFailed(_logger, registered.Local.Id, registered.Local.Topic, e);
        }
        await registered.Local.StopAsync(Options.DrainTimeout).ConfigureAwait(false);
        _subscriptions.TryRemove(registered.Local.Id, out _);
    }

    private async ValueTask<TransportResponse> ReceiveAsync(TransportRequest request, CancellationToken cancellationToken)
    {
        var headers = request.Metadata;
        var subscriptionId = headers?.Get(Envelope.Subscription);
        if (subscriptionId is null || !_subscriptions.TryGetValue(subscriptionId, out var registered))
        {
            return new TransportResponse(LocalSubscription.Gone);
        }

        Metadata? user = null;
        string? publisher = null;
        var timestamp = default(DateTimeOffset);
        var redelivered = 0;
        if (headers is not null)
        {
            foreach (var (key, value) in headers)
            {
                if (!Envelope.IsReserved(key))
                {
                    (user ??= new Metadata())[key] = value;
                }
                else if (key.Equals(Envelope.Publisher, StringComparison.OrdinalIgnoreCase))
                {
                    publisher = value;
                }
                else if (key.Equals(Envelope.Timestamp, StringComparison.OrdinalIgnoreCase)
                    && long.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var ms))
                {
                    timestamp = DateTimeOffset.FromUnixTimeMilliseconds(ms);
                }
                else if (key.Equals(Envelope.Redelivered, StringComparison.OrdinalIgnoreCase)
                    && int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n))
                {
                    redelivered = n;
                }
            }
        }
        var body = request.Body;
        var message = new BrokerMessage
        {
            Id = request.Id ?? string.Empty,
            Topic = request.Endpoint,
            ContentType = request.ContentType,
            Body = body.IsSingleSegment ? body.First : body.ToArray(),
            Publisher = publisher,
            Timestamp = timestamp,
            Headers = user,
            Redelivered = redelivered,
        };
        // The publisher's deadline holds here too, even if its cancel never arrives.
        using var deadline = request.Timeout is { } timeout ? new CancellationTokenSource(timeout) : null;
        using var linked = deadline is null ? null : CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadline.Token);
        MicroError? error;
        try
        {
            error = await registered.Local.DeliverAsync(message, linked?.Token ?? cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (deadline?.IsCancellationRequested == true && !cancellationToken.IsCancellationRequested)
        {
            error = MicroError.Create(BrokerIds.Broker, MicroStatusCode.Timeout, $"the handler of subscription {registered.Local.Id} did not finish within the publisher's deadline");
        }
        return error is null
            ? new TransportResponse(request.ContentType, ReadOnlySequence<byte>.Empty)
            : new TransportResponse(error);
    }

    private enum AttemptKind
    {
        Delivered,
        Rejected,
        Gone,
        Transport,
    }

    private readonly record struct Attempt(AttemptKind Kind, MicroError? Error, bool MayHaveRun);

    private sealed record CacheEntry(Node[] Nodes, long Generation, long FetchedAt);

    private sealed class StrongBox
    {
        public int Value;
    }

    private sealed class Registered(LocalSubscription local, ServiceInfo service)
    {
        public int Stopped;

        public LocalSubscription Local { get; } = local;

        public ServiceInfo Service { get; } = service;
    }

    private sealed class DeliveryHandler(EmbeddedBroker broker) : ITransportHandler
    {
        public ValueTask<TransportResponse> HandleAsync(TransportRequest request, CancellationToken cancellationToken) =>
            broker.ReceiveAsync(request, cancellationToken);
    }

    private sealed class Subscription(EmbeddedBroker broker, Registered registered) : ISubscription
    {
        public string Id => registered.Local.Id;

        public string Topic => registered.Local.Topic;

        public string? Queue => registered.Local.Queue;

        public ValueTask DisposeAsync() => broker.UnsubscribeAsync(registered);
    }
}
