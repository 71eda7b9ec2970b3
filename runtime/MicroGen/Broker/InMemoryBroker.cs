using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using MicroGen.Broker.Internal;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace MicroGen.Broker;

/// <summary>
/// A broker inside one process: <see cref="PublishAsync"/> runs the handlers of every plain
/// subscriber and of one member per queue group (round robin) and completes when all acknowledged.
/// Nothing is persisted; see <c>docs/PUBSUB.md</c> for its guarantees.
/// </summary>
public sealed class InMemoryBroker : IBroker
{
    private readonly Dictionary<string, Topic> _topics = new(StringComparer.Ordinal);
    private readonly object _gate = new();
    private readonly ILogger _logger;
    private readonly string _id = "memory-" + Guid.NewGuid().ToString("N")[..8];
    private long _nextSubscription;
    private int _disposed;

    /// <summary>Creates a broker.</summary>
    public InMemoryBroker(InMemoryBrokerOptions? options = null)
    {
        Options = options ?? new InMemoryBrokerOptions();
        _logger = Options.LoggerFactory?.CreateLogger<InMemoryBroker>() ?? NullLogger<InMemoryBroker>.Instance;
    }

    /// <summary>The broker's options.</summary>
    public InMemoryBrokerOptions Options { get; }

    /// <inheritdoc/>
    public string Name => "memory";

    /// <inheritdoc/>
    public string? Address => "memory";

    /// <inheritdoc/>
    public ValueTask ConnectAsync(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc/>
    public async ValueTask<PublishResult> PublishAsync(BrokerMessage message, PublishOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(message);
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        options ??= PublishOptions.Default;
        cancellationToken.ThrowIfCancellationRequested();

        List<LocalSubscription> plain = new();
        List<(string Queue, LocalSubscription[] Members, int Start)> groups = new();
        lock (_gate)
        {
            if (_topics.TryGetValue(message.Topic, out var topic))
            {
                plain.AddRange(topic.Plain);
                foreach (var (queue, group) in topic.Groups)
                {
                    if (group.Members.Count > 0)
                    {
                        groups.Add((queue, group.Members.ToArray(), group.Next++));
                    }
                }
            }
        }

        var timeout = options.Timeout ?? Options.DeliveryTimeout;
        var deliveries = new Task<DeliveryReport>[plain.Count + groups.Count];
        var i = 0;
        foreach (var subscription in plain)
        {
            deliveries[i++] = DeliverAsync(subscription, message, timeout, cancellationToken);
        }
        foreach (var (queue, members, start) in groups)
        {
            deliveries[i++] = DeliverToGroupAsync(queue, members, start, message, timeout, cancellationToken);
        }
        var reports = await Task.WhenAll(deliveries).ConfigureAwait(false);
        var result = new PublishResult(message.Id, message.Topic, reports);
        if (!result.Succeeded || (result.NoSubscribers && !options.AllowNoSubscribers))
        {
            BrokerLog.PublishFailed(_logger, result);
            throw PublishException.For(result);
        }
        return result;
    }

    /// <inheritdoc/>
    public ValueTask<ISubscription> SubscribeAsync(string topic, BrokerHandler handler, SubscribeOptions? options = null, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        options ??= SubscribeOptions.Default;
        var id = $"{_id}-{Interlocked.Increment(ref _nextSubscription)}";
        var local = new LocalSubscription(id, topic, handler, options, _logger);
        lock (_gate)
        {
            if (!_topics.TryGetValue(topic, out var entry))
            {
                _topics[topic] = entry = new Topic();
            }
            if (options.Queue is { } queue)
            {
                if (!entry.Groups.TryGetValue(queue, out var group))
                {
                    entry.Groups[queue] = group = new Group();
                }
                group.Members.Add(local);
            }
            else
            {
                entry.Plain.Add(local);
            }
        }
        return new ValueTask<ISubscription>(new Subscription(this, local));
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }
        List<LocalSubscription> all = new();
        lock (_gate)
        {
            foreach (var topic in _topics.Values)
            {
                all.AddRange(topic.Plain);
                foreach (var group in topic.Groups.Values)
                {
                    all.AddRange(group.Members);
                }
            }
            _topics.Clear();
        }
        foreach (var subscription in all)
        {
            await subscription.StopAsync(Options.DrainTimeout).ConfigureAwait(false);
        }
    }

    private async Task<DeliveryReport> DeliverToGroupAsync(string queue, LocalSubscription[] members, int start, BrokerMessage message, TimeSpan timeout, CancellationToken cancellationToken)
    {
        // Round robin from this publish's turn; a member that unsubscribed meanwhile passes the message on.
        for (var n = 0; n < members.Length; n++)
        {
            var member = members[(int)((uint)(start + n) % (uint)members.Length)];
            var report = await DeliverAsync(member, message, timeout, cancellationToken).ConfigureAwait(false);
            if (report.Outcome != DeliveryOutcome.Unsubscribed)
            {
                return report with { Attempts = n + 1 };
            }
        }
        return new DeliveryReport(members[^1].Id, queue, DeliveryOutcome.Unsubscribed, members.Length);
    }

    private static async Task<DeliveryReport> DeliverAsync(LocalSubscription subscription, BrokerMessage message, TimeSpan timeout, CancellationToken cancellationToken)
    {
        // Each subscriber gets its own headers: a handler may change its context's metadata.
        var copy = message.Headers is null ? message : new BrokerMessage
        {
            Id = message.Id,
            Topic = message.Topic,
            ContentType = message.ContentType,
            Body = message.Body,
            Publisher = message.Publisher,
            Timestamp = message.Timestamp,
            Headers = message.Headers.Clone(),
        };
        using var deadline = new CancellationTokenSource(timeout);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadline.Token);
        MicroError? error;
        try
        {
            error = await subscription.DeliverAsync(copy, linked.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            error = MicroError.Create(BrokerIds.Broker, MicroStatusCode.Timeout,
                $"not acknowledged within {timeout.TotalMilliseconds:0} ms");
        }
        return error switch
        {
            null => new DeliveryReport(subscription.Id, subscription.Queue, DeliveryOutcome.Delivered, 1),
            _ when LocalSubscription.IsGone(error) => new DeliveryReport(subscription.Id, subscription.Queue, DeliveryOutcome.Unsubscribed, 1),
            _ => new DeliveryReport(subscription.Id, subscription.Queue, DeliveryOutcome.Failed, 1, error),
        };
    }

    private async ValueTask UnsubscribeAsync(LocalSubscription subscription)
    {
        lock (_gate)
        {
            if (_topics.TryGetValue(subscription.Topic, out var topic))
            {
                if (subscription.Queue is { } queue && topic.Groups.TryGetValue(queue, out var group))
                {
                    group.Members.Remove(subscription);
                    if (group.Members.Count == 0)
                    {
                        topic.Groups.Remove(queue);
                    }
                }
                else
                {
                    topic.Plain.Remove(subscription);
                }
                if (topic.Plain.Count == 0 && topic.Groups.Count == 0)
                {
                    _topics.Remove(subscription.Topic);
                }
            }
        }
        await subscription.StopAsync(Options.DrainTimeout).ConfigureAwait(false);
    }

    private sealed class Topic
    {
        public List<LocalSubscription> Plain { get; } = new();

        public Dictionary<string, Group> Groups { get; } = new(StringComparer.Ordinal);
    }

    private sealed class Group
    {
        public List<LocalSubscription> Members { get; } = new();

        public int Next;
    }

    private sealed class Subscription(InMemoryBroker broker, LocalSubscription local) : ISubscription
    {
        private int _disposed;

        public string Id => local.Id;

        public string Topic => local.Topic;

        public string? Queue => local.Queue;

        public ValueTask DisposeAsync() =>
            Interlocked.Exchange(ref _disposed, 1) == 0 ? broker.UnsubscribeAsync(local) : ValueTask.CompletedTask;
    }
}
