using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using MicroGen.Broker;
using MicroGen.Codec;
using MicroGen.PubSub.Host;
using MicroGen.PubSub.Host.Proto;
using MicroGen.Registry;
using MicroGen.Service;
using MicroGen.Transport;
using NUnit.Framework;

namespace MicroGen.PubSub.Tests;

/// <summary>Which broker the in-process tests run against.</summary>
public enum BrokerKind
{
    /// <summary><see cref="InMemoryBroker"/>: handlers run in the publisher's process directly.</summary>
    InMemory,

    /// <summary><see cref="EmbeddedBroker"/> (the services' default) on the in-memory transport and registry.</summary>
    Embedded,
}

/// <summary>
/// The typed pub/sub API and broker semantics inside one process, against both built-in brokers:
/// fan-out, queue groups, typed round trips, envelope metadata, failures and lifecycle.
/// </summary>
[TestFixture(BrokerKind.InMemory)]
[TestFixture(BrokerKind.Embedded)]
public sealed class InProcessPubSubTests(BrokerKind kind)
{
    private readonly List<IService> _services = new();
    private InMemoryRegistry _registry = null!;
    private InMemoryTransport _transport = null!;
    private InMemoryBroker? _memoryBroker;
    private CapturingLoggerFactory _logs = null!;

    [SetUp]
    public void SetUp()
    {
        _registry = new InMemoryRegistry();
        _transport = new InMemoryTransport();
        _logs = new CapturingLoggerFactory();
        _memoryBroker = kind == BrokerKind.InMemory ? new InMemoryBroker(new InMemoryBrokerOptions { LoggerFactory = _logs }) : null;
    }

    [TearDown]
    public async Task TearDown()
    {
        foreach (var service in _services)
        {
            await service.DisposeAsync().AsTask().Bounded();
        }
        _services.Clear();
        if (_memoryBroker is not null)
        {
            await _memoryBroker.DisposeAsync().AsTask().Bounded();
        }
    }

    private IService Create(string name)
    {
        var service = Micro.CreateService(o =>
        {
            o.Name = name;
            o.Transport = _transport;
            o.Registry = _registry;
            o.Broker = _memoryBroker;
            o.LoggerFactory = _logs;
        });
        _services.Add(service);
        return service;
    }

    [Test]
    public async Task Publish_ThreePlainSubscribers_EachGetsEveryMessage()
    {
        var received = new ConcurrentDictionary<string, ConcurrentBag<string>>();
        for (var i = 0; i < 3; i++)
        {
            var name = $"sub{i}";
            var bag = received[name] = new ConcurrentBag<string>();
            await Create(name).Subscribe<string>("fan.out", (evt, ct) => { bag.Add(evt); return Task.CompletedTask; }).StartAsync().Bounded();
        }
        var publisher = Create("pub");

        for (var i = 0; i < 10; i++)
        {
            var result = await publisher.Client.PublishAsync("fan.out", $"m{i}").Bounded();
            Assert.That(result.Deliveries, Has.Count.EqualTo(3));
            Assert.That(result.Delivered, Is.EqualTo(3));
        }

        foreach (var bag in received.Values)
        {
            Assert.That(bag.OrderBy(static s => s, StringComparer.Ordinal), Is.EqualTo(Enumerable.Range(0, 10).Select(static i => $"m{i}").OrderBy(static s => s, StringComparer.Ordinal)));
        }
    }

    [Test]
    public async Task Publish_QueueGroupOfThree_3000MessagesEachHandledExactlyOnce()
    {
        const int count = 3000;
        var handled = new ConcurrentDictionary<int, string>();
        var duplicates = 0;
        var perMember = new int[3];
        for (var i = 0; i < 3; i++)
        {
            var member = i;
            await Create($"worker{i}").Subscribe<int>("jobs", (n, ct) =>
            {
                if (!handled.TryAdd(n, $"worker{member}"))
                {
                    Interlocked.Increment(ref duplicates);
                }
                Interlocked.Increment(ref perMember[member]);
                return Task.CompletedTask;
            }, queue: "workers").StartAsync().Bounded();
        }
        var publisher = Create("pub");

        await Parallel.ForEachAsync(Enumerable.Range(0, count), new ParallelOptions { MaxDegreeOfParallelism = 32 }, async (n, ct) =>
        {
            var result = await publisher.Client.PublishAsync("jobs", n, cancellationToken: ct);
            Assert.That(result.Deliveries, Has.Count.EqualTo(1));
            Assert.That(result.Deliveries[0].Queue, Is.EqualTo("workers"));
        }).Bounded();

        Assert.That(handled, Has.Count.EqualTo(count));
        Assert.That(duplicates, Is.Zero);
        Assert.That(perMember.Sum(), Is.EqualTo(count));
        Assert.That(perMember, Has.All.GreaterThan(count / 6), "round robin spreads the messages over every member");
    }

    [Test]
    public async Task Publish_QueueGroupAndPlainSubscribers_GroupGetsOneCopyPlainGetsAll()
    {
        var group = 0;
        var plain = 0;
        await Create("g1").Subscribe<string>("mixed", (_, _) => { Interlocked.Increment(ref group); return Task.CompletedTask; }, queue: "q").StartAsync().Bounded();
        await Create("g2").Subscribe<string>("mixed", (_, _) => { Interlocked.Increment(ref group); return Task.CompletedTask; }, queue: "q").StartAsync().Bounded();
        await Create("p1").Subscribe<string>("mixed", (_, _) => { Interlocked.Increment(ref plain); return Task.CompletedTask; }).StartAsync().Bounded();
        var publisher = Create("pub");

        for (var i = 0; i < 20; i++)
        {
            await publisher.Client.PublishAsync("mixed", "x").Bounded();
        }

        Assert.That(group, Is.EqualTo(20));
        Assert.That(plain, Is.EqualTo(20));
    }

    [Test]
    public async Task Publish_UserRecord_RoundTripsAsMessagePack()
    {
        var received = new TaskCompletionSource<(UserCreated, string)>(TaskCreationOptions.RunContinuationsAsynchronously);
        await Create("sub").Subscribe<UserCreated>("user.created", (evt, ct) =>
        {
            received.TrySetResult((evt, MicroContext.Current!.Event!.ContentType));
            return Task.CompletedTask;
        }).StartAsync().Bounded();
        var sent = new UserCreated(42, "Ada", "ada@example.org", ["admin", "dev"]);

        await Create("pub").Client.PublishAsync("user.created", sent).Bounded();

        var (got, contentType) = await received.Task.Bounded();
        Assert.That(got.Id, Is.EqualTo(42));
        Assert.That(got.Name, Is.EqualTo("Ada"));
        Assert.That(got.Email, Is.EqualTo("ada@example.org"));
        Assert.That(got.Roles, Is.EqualTo(new[] { "admin", "dev" }));
        Assert.That(contentType, Is.EqualTo(ContentTypes.MessagePack));
    }

    [Test]
    public async Task Publish_UserRecordAsJson_RoundTripsAsJson()
    {
        var received = new TaskCompletionSource<(UserCreated, string)>(TaskCreationOptions.RunContinuationsAsynchronously);
        await Create("sub").Subscribe<UserCreated>("user.json", (evt, ct) =>
        {
            received.TrySetResult((evt, MicroContext.Current!.Event!.ContentType));
            return Task.CompletedTask;
        }).StartAsync().Bounded();

        await Create("pub").Client.PublishAsync("user.json", new UserCreated(7, "Grace", null, []),
            new PublishOptions { ContentType = ContentTypes.Json }).Bounded();

        var (got, contentType) = await received.Task.Bounded();
        Assert.That(got.Id, Is.EqualTo(7));
        Assert.That(got.Name, Is.EqualTo("Grace"));
        Assert.That(got.Email, Is.Null);
        Assert.That(got.Roles, Is.Empty);
        Assert.That(contentType, Is.EqualTo(ContentTypes.Json));
    }

    [Test]
    public async Task Publish_ProtobufMessage_RoundTripsAsProtobufWithoutMark()
    {
        var received = new TaskCompletionSource<(OrderPlaced, string)>(TaskCreationOptions.RunContinuationsAsynchronously);
        await Create("sub").Subscribe<OrderPlaced>("order.placed", (evt, ct) =>
        {
            received.TrySetResult((evt, MicroContext.Current!.Event!.ContentType));
            return Task.CompletedTask;
        }).StartAsync().Bounded();
        var sent = new OrderPlaced { OrderId = "o-1", AmountCents = 1999, Items = { "book", "pen" } };

        await Create("pub").Client.PublishAsync("order.placed", sent).Bounded();

        var (got, contentType) = await received.Task.Bounded();
        Assert.That(got, Is.EqualTo(sent));
        Assert.That(contentType, Is.EqualTo(ContentTypes.Protobuf));
    }

    [Test]
    public async Task Publish_WithContextHeaders_EnvelopeAndHeadersReachHandler()
    {
        var received = new TaskCompletionSource<MicroContext>(TaskCreationOptions.RunContinuationsAsynchronously);
        await Create("sub").Subscribe<string>("meta", (evt, ct) =>
        {
            received.TrySetResult(MicroContext.Current!);
            return Task.CompletedTask;
        }).StartAsync().Bounded();
        var publisher = Create("billing");
        var before = DateTimeOffset.UtcNow.AddSeconds(-1);

        PublishResult result;
        using (var scope = MicroContext.Begin())
        {
            scope.Context.Metadata["tenant"] = "acme";
            result = await publisher.Client.PublishAsync("meta", "hello", new PublishOptions { Metadata = new Metadata().Set("trace", "t-1") }).Bounded();
        }

        var context = await received.Task.Bounded();
        var info = context.Event!;
        Assert.That(info.Id, Is.EqualTo(result.MessageId));
        Assert.That(info.Topic, Is.EqualTo("meta"));
        Assert.That(info.Publisher, Is.EqualTo("billing"));
        Assert.That(info.ContentType, Is.EqualTo(ContentTypes.MessagePack));
        Assert.That(info.Timestamp, Is.InRange(before, DateTimeOffset.UtcNow.AddSeconds(1)));
        Assert.That(info.Redelivered, Is.Zero);
        Assert.That(info.Queue, Is.Null);
        Assert.That(context.Metadata.Get("tenant"), Is.EqualTo("acme"));
        Assert.That(context.Metadata.Get("trace"), Is.EqualTo("t-1"));
        Assert.That(context.Metadata.ContainsKey("Micro-Subscription"), Is.False, "broker headers are not user headers");
        Assert.That(context.IsServerSide, Is.True);
        Assert.That(context.Endpoint, Is.EqualTo("meta"));
    }

    [Test]
    public async Task Publish_NoSubscriber_ThrowsPublishException404()
    {
        var publisher = Create("pub");

        var e = Assert.ThrowsAsync<PublishException>(async () => await publisher.Client.PublishAsync("nobody.listens", "x").Bounded());

        Assert.That(e!.Code, Is.EqualTo(MicroStatusCode.NotFound));
        Assert.That(e.Result.NoSubscribers, Is.True);
        Assert.That(e.Message, Does.Contain("nobody.listens").And.Contain("no subscriber"));
    }

    [Test]
    public async Task Publish_NoSubscriberAllowed_ReturnsEmptyResult()
    {
        var publisher = Create("pub");

        var result = await publisher.Client.PublishAsync("nobody.listens", "x", new PublishOptions { AllowNoSubscribers = true }).Bounded();

        Assert.That(result.NoSubscribers, Is.True);
        Assert.That(result.Deliveries, Is.Empty);
    }

    [Test]
    public async Task Publish_OneSubscriberThrows_FailureReportedOthersUnaffected()
    {
        var good = new ConcurrentBag<string>();
        await Create("good1").Subscribe<string>("risky", (evt, ct) => { good.Add(evt); return Task.CompletedTask; }).StartAsync().Bounded();
        await Create("bad").Subscribe<string>("risky", (evt, ct) => throw new InvalidOperationException("secret internal detail")).StartAsync().Bounded();
        await Create("good2").Subscribe<string>("risky", (evt, ct) => { good.Add(evt); return Task.CompletedTask; }, queue: "q").StartAsync().Bounded();
        var publisher = Create("pub");

        var e = Assert.ThrowsAsync<PublishException>(async () => await publisher.Client.PublishAsync("risky", "m1").Bounded());

        Assert.That(e!.Code, Is.EqualTo(MicroStatusCode.InternalServerError));
        Assert.That(e.Result.Deliveries, Has.Count.EqualTo(3));
        Assert.That(e.Result.Delivered, Is.EqualTo(2));
        var failed = e.Result.Deliveries.Single(static d => d.Outcome == DeliveryOutcome.Failed);
        Assert.That(failed.Error!.Detail, Does.Contain("InvalidOperationException").And.Not.Contain("secret"));
        Assert.That(e.Message, Does.Contain(e.Result.MessageId).And.Contain(failed.Subscriber));
        Assert.That(good, Is.EquivalentTo(new[] { "m1", "m1" }));
    }

    [Test]
    public async Task Publish_HandlerThrows_LoggedWithMessageId()
    {
        await Create("sub").Subscribe<string>("logged", (_, _) => throw new InvalidOperationException("boom")).StartAsync().Bounded();

        var e = Assert.ThrowsAsync<PublishException>(async () => await Create("pub").Client.PublishAsync("logged", "x").Bounded());

        var entry = _logs.Entries.Single(static l => l.Event.Name == "HandlerFailed");
        Assert.That(entry.Level, Is.EqualTo(Microsoft.Extensions.Logging.LogLevel.Error));
        Assert.That(entry.Message, Does.Contain(e!.Result.MessageId).And.Contain("logged"));
        Assert.That(entry.Exception, Is.TypeOf<InvalidOperationException>());
    }

    [Test]
    public async Task Publish_HandlerThrowsMicroException_PublisherGetsItsError()
    {
        await Create("sub").Subscribe<string>("conflict", (_, _) => throw new MicroException("inventory", MicroStatusCode.Conflict, "out of stock")).StartAsync().Bounded();

        var e = Assert.ThrowsAsync<PublishException>(async () => await Create("pub").Client.PublishAsync("conflict", "x").Bounded());

        Assert.That(e!.Code, Is.EqualTo(MicroStatusCode.Conflict));
        Assert.That(e.Result.Deliveries[0].Error!.Detail, Is.EqualTo("out of stock"));
    }

    [Test]
    public async Task Publish_HandlerFailsOnceWithRedelivery_RedeliveredAndAcknowledged()
    {
        var attempts = new ConcurrentBag<int>();
        await Create("sub").Subscribe<string>("flaky", (evt, ct) =>
        {
            var redelivered = MicroContext.Current!.Event!.Redelivered;
            attempts.Add(redelivered);
            return redelivered == 0 ? throw new InvalidOperationException("transient") : Task.CompletedTask;
        }, options: new SubscribeOptions { MaxRedeliveries = 2, RedeliveryDelay = TimeSpan.FromMilliseconds(10) }).StartAsync().Bounded();

        var result = await Create("pub").Client.PublishAsync("flaky", "x").Bounded();

        Assert.That(result.Succeeded, Is.True);
        Assert.That(attempts.Order(), Is.EqualTo(new[] { 0, 1 }));
    }

    [Test]
    public async Task Publish_WithMessageId_SubscriberSeesThatId()
    {
        var ids = new System.Collections.Concurrent.ConcurrentBag<string>();
        await Create("sub").Subscribe<string>("dedupe", (_, _) => { ids.Add(MicroContext.Current!.Event!.Id); return Task.CompletedTask; }).StartAsync().Bounded();
        var publisher = Create("pub");

        await publisher.Client.PublishAsync("dedupe", "x", new PublishOptions { MessageId = "order-7-created" }).Bounded();
        await publisher.Client.PublishAsync("dedupe", "x", new PublishOptions { MessageId = "order-7-created" }).Bounded();

        Assert.That(ids, Is.EqualTo(new[] { "order-7-created", "order-7-created" }));
    }

    [Test]
    public async Task Subscribe_ServiceStopped_SubscriptionRemoved()
    {
        var subscriber = Create("sub");
        await subscriber.Subscribe<string>("lifecycle", (_, _) => Task.CompletedTask).StartAsync().Bounded();
        var publisher = Create("pub");
        await publisher.Client.PublishAsync("lifecycle", "before").Bounded();

        await subscriber.StopAsync().Bounded();

        var e = Assert.ThrowsAsync<PublishException>(async () => await publisher.Client.PublishAsync("lifecycle", "after").Bounded());
        Assert.That(e!.Code, Is.EqualTo(MicroStatusCode.NotFound));
    }

    [Test]
    public async Task Subscribe_NotStarted_NotActiveYet()
    {
        Create("sub").Subscribe<string>("later", (_, _) => Task.CompletedTask);

        var e = Assert.ThrowsAsync<PublishException>(async () => await Create("pub").Client.PublishAsync("later", "x").Bounded());

        Assert.That(e!.Result.NoSubscribers, Is.True);
    }

    [Test]
    public async Task Subscribe_AfterStart_Throws()
    {
        var service = Create("sub");
        await service.StartAsync().Bounded();

        Assert.Throws<InvalidOperationException>(() => service.Subscribe<string>("late", (_, _) => Task.CompletedTask));
    }

    [Test]
    public async Task Publish_QueueGroupMemberStops_RemainingMembersTakeEverything()
    {
        var counts = new int[2];
        var first = Create("w0").Subscribe<int>("work", (_, _) => { Interlocked.Increment(ref counts[0]); return Task.CompletedTask; }, queue: "w");
        await first.StartAsync().Bounded();
        await Create("w1").Subscribe<int>("work", (_, _) => { Interlocked.Increment(ref counts[1]); return Task.CompletedTask; }, queue: "w").StartAsync().Bounded();
        var publisher = Create("pub");
        await first.StopAsync().Bounded();
        var before = counts[0];

        for (var i = 0; i < 20; i++)
        {
            await publisher.Client.PublishAsync("work", i).Bounded();
        }

        Assert.That(counts[0], Is.EqualTo(before));
        Assert.That(counts[1], Is.EqualTo(20));
    }

    [Test]
    public async Task Publish_SlowHandlerPastTimeout_ReportedAsTimeout()
    {
        await Create("sub").Subscribe<string>("slow", async (_, ct) => await Task.Delay(TimeSpan.FromSeconds(10), ct)).StartAsync().Bounded();

        var e = Assert.ThrowsAsync<PublishException>(async () =>
            await Create("pub").Client.PublishAsync("slow", "x", new PublishOptions { Timeout = TimeSpan.FromMilliseconds(200) }).Bounded());

        Assert.That(e!.Code, Is.EqualTo(MicroStatusCode.Timeout));
    }
}
