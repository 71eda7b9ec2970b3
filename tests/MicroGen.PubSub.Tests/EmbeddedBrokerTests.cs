using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using MicroGen.Broker;
using MicroGen.Registry;
using MicroGen.Transport;
using NUnit.Framework;

namespace MicroGen.PubSub.Tests;

/// <summary>
/// The embedded broker's own mechanics on the in-memory transport and registry: registry layout,
/// queue-group fail-over from a dead member, bounded retries for a dead plain subscriber,
/// discovery of new subscribers through the registry watch.
/// </summary>
[TestFixture]
public sealed class EmbeddedBrokerTests
{
    private InMemoryRegistry _registry = null!;
    private InMemoryTransport _transport = null!;
    private readonly List<IAsyncDisposable> _disposables = new();

    [SetUp]
    public void SetUp()
    {
        _registry = new InMemoryRegistry();
        _transport = new InMemoryTransport();
    }

    [TearDown]
    public async Task TearDown()
    {
        for (var i = _disposables.Count - 1; i >= 0; i--)
        {
            await _disposables[i].DisposeAsync().AsTask().Bounded();
        }
        _disposables.Clear();
        await _registry.DisposeAsync().AsTask().Bounded();
    }

    private EmbeddedBroker CreateBroker(Action<EmbeddedBrokerOptions>? configure = null)
    {
        var options = new EmbeddedBrokerOptions { Transport = _transport, Registry = _registry, RetryDelay = TimeSpan.FromMilliseconds(10) };
        configure?.Invoke(options);
        var broker = new EmbeddedBroker(options);
        _disposables.Add(broker);
        return broker;
    }

    private static BrokerMessage Message(string topic, string text = "x") => new()
    {
        Id = BrokerMessage.NewId(),
        Topic = topic,
        ContentType = "text/plain",
        Body = System.Text.Encoding.UTF8.GetBytes(text),
        Publisher = "test",
        Timestamp = DateTimeOffset.UtcNow,
    };

    /// <summary>Registers a subscriber node whose address nobody listens on: a crashed process's stale entry.</summary>
    private async Task RegisterDeadNodeAsync(string topic, string? queue, string id)
    {
        var metadata = new Dictionary<string, string>
        {
            [EmbeddedBroker.NodeMetadata.Broker] = "embedded",
            [EmbeddedBroker.NodeMetadata.Topic] = topic,
            [EmbeddedBroker.NodeMetadata.Subscription] = id,
        };
        if (queue is not null)
        {
            metadata[EmbeddedBroker.NodeMetadata.Queue] = queue;
        }
        await _registry.RegisterAsync(new ServiceInfo
        {
            Name = EmbeddedBroker.ServiceName(topic),
            Version = queue ?? EmbeddedBroker.BroadcastVersion,
            Nodes = [new Node { Id = id, Address = "memory:dead-" + id, Metadata = metadata }],
        }).AsTask().Bounded();
    }

    [Test]
    public async Task Subscribe_QueueGroup_RegistersOneNodePerSubscriptionUnderTopicService()
    {
        var broker = CreateBroker(o => o.Id = "b1");
        await using var a = await broker.SubscribeAsync("user.created", static (_, _) => ValueTask.CompletedTask, new SubscribeOptions { Queue = "mailer" }).Bounded();
        await using var b = await broker.SubscribeAsync("user.created", static (_, _) => ValueTask.CompletedTask).Bounded();

        var services = await _registry.GetServiceAsync("microgen.broker:user.created").Bounded();

        Assert.That(services.Select(static s => s.Version), Is.EquivalentTo(new[] { "mailer", "broadcast" }));
        var member = services.Single(static s => s.Version == "mailer").Nodes.Single();
        Assert.That(member.Id, Is.EqualTo(a.Id));
        Assert.That(member.Id, Does.StartWith("b1-"));
        Assert.That(member.Address, Is.EqualTo(broker.Address));
        Assert.That(member.Metadata["broker"], Is.EqualTo("embedded"));
        Assert.That(member.Metadata["topic"], Is.EqualTo("user.created"));
        Assert.That(member.Metadata["queue"], Is.EqualTo("mailer"));
        Assert.That(member.Metadata["subscription"], Is.EqualTo(a.Id));
        Assert.That(services.Single(static s => s.Version == "broadcast").Nodes.Single().Metadata.ContainsKey("queue"), Is.False);
    }

    [Test]
    public async Task Unsubscribe_Deregisters()
    {
        var broker = CreateBroker();
        var subscription = await broker.SubscribeAsync("t", static (_, _) => ValueTask.CompletedTask).Bounded();

        await subscription.DisposeAsync().AsTask().Bounded();

        Assert.That(await _registry.GetServiceAsync(EmbeddedBroker.ServiceName("t")).Bounded(), Is.Empty);
    }

    [Test]
    public async Task Publish_QueueGroupWithDeadMember_EveryMessageGoesToLiveMember()
    {
        var subscriber = CreateBroker();
        var handled = 0;
        await using var live = await subscriber.SubscribeAsync("jobs", (_, _) => { Interlocked.Increment(ref handled); return ValueTask.CompletedTask; },
            new SubscribeOptions { Queue = "w" }).Bounded();
        await RegisterDeadNodeAsync("jobs", "w", "dead-1");
        await RegisterDeadNodeAsync("jobs", "w", "dead-2");
        var publisher = CreateBroker();

        for (var i = 0; i < 30; i++)
        {
            var result = await publisher.PublishAsync(Message("jobs")).Bounded();
            Assert.That(result.Deliveries.Single().Subscriber, Is.EqualTo(live.Id));
        }

        Assert.That(handled, Is.EqualTo(30));
    }

    [Test]
    public async Task Publish_DeadPlainSubscriber_FailsAfterBoundedRetriesNamingIt()
    {
        var subscriber = CreateBroker();
        var handled = 0;
        await using var live = await subscriber.SubscribeAsync("news", (_, _) => { Interlocked.Increment(ref handled); return ValueTask.CompletedTask; }).Bounded();
        await RegisterDeadNodeAsync("news", null, "crashed");
        var publisher = CreateBroker(o => o.MaxDeliveryAttempts = 3);
        var clock = Stopwatch.StartNew();

        var e = Assert.ThrowsAsync<PublishException>(async () => await publisher.PublishAsync(Message("news")).Bounded());

        Assert.That(clock.Elapsed, Is.LessThan(TimeSpan.FromSeconds(5)));
        Assert.That(e!.Code, Is.EqualTo(MicroStatusCode.ServiceUnavailable));
        var failed = e.Result.Deliveries.Single(static d => d.Outcome == DeliveryOutcome.Failed);
        Assert.That(failed.Subscriber, Is.EqualTo("crashed"));
        Assert.That(failed.Attempts, Is.EqualTo(3));
        Assert.That(e.Message, Does.Contain("crashed").And.Contain("NOT delivered"));
        Assert.That(handled, Is.EqualTo(1), "the live subscriber still got it");
    }

    [Test]
    public async Task Publish_DeadSubscriberDeregisteredWhileRetrying_CountsAsUnsubscribed()
    {
        await RegisterDeadNodeAsync("gone", null, "leaving");
        var publisher = CreateBroker(o => { o.MaxDeliveryAttempts = 5; o.RetryDelay = TimeSpan.FromMilliseconds(200); });
        var publish = publisher.PublishAsync(Message("gone"), new PublishOptions { AllowNoSubscribers = true }).AsTask();
        await Task.Delay(50);

        await _registry.DeregisterAsync(new ServiceInfo
        {
            Name = EmbeddedBroker.ServiceName("gone"),
            Version = EmbeddedBroker.BroadcastVersion,
            Nodes = [new Node { Id = "leaving", Address = "memory:dead-leaving" }],
        }).AsTask().Bounded();
        var result = await publish.Bounded();

        Assert.That(result.NoSubscribers, Is.True);
        Assert.That(result.Deliveries.Single().Outcome, Is.EqualTo(DeliveryOutcome.Unsubscribed));
    }

    [Test]
    public async Task Publish_SubscriberAddedAfterCachedLookup_FoundThroughWatch()
    {
        var publisher = CreateBroker(o => o.CacheTtl = TimeSpan.FromMinutes(10));
        var first = CreateBroker();
        var second = CreateBroker();
        var got = new ConcurrentBag<string>();
        await using var a = await first.SubscribeAsync("grow", (m, _) => { got.Add("a"); return ValueTask.CompletedTask; }).Bounded();
        await publisher.PublishAsync(Message("grow")).Bounded();

        await using var b = await second.SubscribeAsync("grow", (m, _) => { got.Add("b"); return ValueTask.CompletedTask; }).Bounded();
        PublishResult result;
        var deadline = Stopwatch.StartNew();
        do
        {
            result = await publisher.PublishAsync(Message("grow")).Bounded();
        }
        while (result.Deliveries.Count < 2 && deadline.Elapsed < TimeSpan.FromSeconds(5) && await Delay());

        Assert.That(result.Deliveries, Has.Count.EqualTo(2));
        Assert.That(got, Does.Contain("b"));

        static async Task<bool> Delay()
        {
            await Task.Delay(20);
            return true;
        }
    }

    [Test]
    public async Task Publish_ManyToOneTopic_LookupsStayConstant_NewSubscriberFoundThroughTheWatch()
    {
        // Arrange: subscribers register in the real registry; the publisher looks up through a counting one.
        const int publishes = 300;
        var counting = new CountingRegistry(_registry);
        var publisher = CreateBroker(o => { o.Registry = counting; o.CacheTtl = TimeSpan.FromMinutes(10); });
        var got = new ConcurrentQueue<string>();
        await using var a = await CreateBroker().SubscribeAsync("cached", (_, _) => { got.Enqueue("a"); return ValueTask.CompletedTask; }).Bounded();
        var service = EmbeddedBroker.ServiceName("cached");

        // Act 1: many publishes to one topic.
        for (var i = 0; i < publishes; i++)
        {
            Assert.That((await publisher.PublishAsync(Message("cached")).Bounded()).Delivered, Is.EqualTo(1));
        }
        var lookupsForMany = counting.Lookups(service);

        // Act 2: a second subscriber appears; the publisher hears of it through its watch, not a poll.
        await using var b = await CreateBroker().SubscribeAsync("cached", (_, _) => { got.Enqueue("b"); return ValueTask.CompletedTask; }).Bounded();
        await counting.WaitUntilWatcherConsumedAsync(e => e.Kind == RegistryEventKind.Create && e.Service.Nodes.Any(n => n.Id == b.Id)).Bounded();
        var afterWatch = await publisher.PublishAsync(Message("cached")).Bounded();
        for (var i = 1; i < publishes; i++)
        {
            Assert.That((await publisher.PublishAsync(Message("cached")).Bounded()).Delivered, Is.EqualTo(2));
        }

        // Assert: one lookup per registry change, not one per publish.
        Assert.That(lookupsForMany, Is.EqualTo(1), $"{publishes} publishes to one topic");
        Assert.That(afterWatch.Deliveries.Select(d => d.Subscriber), Is.EquivalentTo(new[] { a.Id, b.Id }), "the first publish after the watch event already reaches the new subscriber");
        Assert.That(counting.Lookups(service), Is.EqualTo(2), "the watch event invalidated the cache once; the next publishes were served from it again");
        Assert.That(got.Count(x => x == "a"), Is.EqualTo(2 * publishes));
        Assert.That(got.Count(x => x == "b"), Is.EqualTo(publishes));
    }

    [Test]
    public async Task Publish_RawMessage_BodyHeadersAndEnvelopeArrive()
    {
        var subscriber = CreateBroker();
        var received = new TaskCompletionSource<(BrokerMessage Message, string Body)>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var s = await subscriber.SubscribeAsync("raw", (m, _) =>
        {
            received.TrySetResult((m, System.Text.Encoding.UTF8.GetString(m.Body.Span)));
            return ValueTask.CompletedTask;
        }).Bounded();
        var message = Message("raw", "payload");
        message = new BrokerMessage
        {
            Id = message.Id, Topic = message.Topic, ContentType = message.ContentType, Body = message.Body,
            Publisher = "orders", Timestamp = DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_123), Headers = new Metadata().Set("k", "v"),
        };

        await CreateBroker().PublishAsync(message).Bounded();

        var (got, body) = await received.Task.Bounded();
        Assert.That(body, Is.EqualTo("payload"));
        Assert.That(got.Id, Is.EqualTo(message.Id));
        Assert.That(got.Topic, Is.EqualTo("raw"));
        Assert.That(got.ContentType, Is.EqualTo("text/plain"));
        Assert.That(got.Publisher, Is.EqualTo("orders"));
        Assert.That(got.Timestamp, Is.EqualTo(message.Timestamp));
        Assert.That(got.Headers!.Get("k"), Is.EqualTo("v"));
        Assert.That(got.Headers.Count, Is.EqualTo(1));
    }
}
