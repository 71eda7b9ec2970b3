using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Threading.Tasks;
using MicroGen.Broker;
using MicroGen.Registry;
using MicroGen.Transport;
using NUnit.Framework;

namespace MicroGen.PubSub.Tests;

/// <summary>
/// The embedded broker's retries for transport failures (docs/PUBSUB.md "Retries" and
/// "Duplicates"), over TCP on loopback with a transport decorator that fails on demand: a
/// transient failure is retried and delivered, the waits between rounds double up to the cap, and
/// a retry after the handler may have run carries the redelivery mark.
/// </summary>
[TestFixture]
public sealed class EmbeddedBrokerRetryTests
{
    private readonly List<IAsyncDisposable> _disposables = new();
    private InMemoryRegistry _registry = null!;
    private FlakyTransport _flaky = null!;
    private RecordingTimeProvider _clock = null!;

    [SetUp]
    public void SetUp()
    {
        _registry = new InMemoryRegistry();
        _flaky = new FlakyTransport(new TcpTransport());
        _clock = new RecordingTimeProvider();
    }

    [TearDown]
    public async Task TearDown()
    {
        for (var i = _disposables.Count - 1; i >= 0; i--)
        {
            await _disposables[i].DisposeAsync().AsTask().Bounded();
        }
        _disposables.Clear();
        await _flaky.DisposeAsync().AsTask().Bounded();
        await _registry.DisposeAsync().AsTask().Bounded();
    }

    /// <summary>A subscriber on its own TCP transport, receiving into <paramref name="received"/>.</summary>
    private async Task<ISubscription> SubscribeAsync(string topic, ConcurrentQueue<BrokerMessage> received)
    {
        var transport = new TcpTransport();
        var broker = new EmbeddedBroker(new EmbeddedBrokerOptions { Transport = transport, Registry = _registry });
        _disposables.Add(transport);
        _disposables.Add(broker);
        return await broker.SubscribeAsync(topic, (m, _) =>
        {
            received.Enqueue(m);
            return ValueTask.CompletedTask;
        }).Bounded();
    }

    /// <summary>A publisher dialling through the flaky transport, waiting on the recording clock; the documented defaults unless changed.</summary>
    private EmbeddedBroker CreatePublisher(Action<EmbeddedBrokerOptions>? configure = null)
    {
        var options = new EmbeddedBrokerOptions { Transport = _flaky, Registry = _registry, TimeProvider = _clock };
        configure?.Invoke(options);
        var broker = new EmbeddedBroker(options);
        _disposables.Add(broker);
        return broker;
    }

    private static BrokerMessage Message(string topic) => new()
    {
        Id = BrokerMessage.NewId(),
        Topic = topic,
        ContentType = "text/plain",
        Body = "hello"u8.ToArray(),
        Publisher = "test",
        Timestamp = DateTimeOffset.UtcNow,
    };

    /// <summary>The real time between consecutive recorded attempts.</summary>
    private static TimeSpan[] Gaps(IEnumerable<long> timestamps)
    {
        var t = timestamps.ToArray();
        return t.Skip(1).Select((later, i) => Stopwatch.GetElapsedTime(t[i], later)).ToArray();
    }

    [Test]
    public void Options_TimeProvider_DefaultsToSystem()
    {
        Assert.That(new EmbeddedBrokerOptions().TimeProvider, Is.SameAs(TimeProvider.System));
    }

    [Test]
    public async Task Publish_SubscriberUnreachableForTwoAttempts_RetriedWithBackOffAndDelivered()
    {
        // Arrange: the subscriber refuses connections twice (restarting), then is back.
        var received = new ConcurrentQueue<BrokerMessage>();
        await using var subscription = await SubscribeAsync("orders", received);
        var publisher = CreatePublisher();
        _flaky.RefuseNextDials(2);

        // Act
        var result = await publisher.PublishAsync(Message("orders")).Bounded();

        // Assert: delivered on the third and last attempt the defaults allow, after 50 ms then 100 ms.
        var delivery = result.Deliveries.Single();
        Assert.That(delivery.Outcome, Is.EqualTo(DeliveryOutcome.Delivered));
        Assert.That(delivery.Subscriber, Is.EqualTo(subscription.Id));
        Assert.That(delivery.Attempts, Is.EqualTo(3));
        Assert.That(_clock.Waits, Is.EqualTo(new[] { TimeSpan.FromMilliseconds(50), TimeSpan.FromMilliseconds(100) }));
        var gaps = Gaps(_flaky.Dials);
        Assert.That(gaps, Has.Length.EqualTo(2));
        Assert.That(gaps[0], Is.GreaterThanOrEqualTo(TimeSpan.FromMilliseconds(45)), "the publisher waited before the second attempt");
        Assert.That(gaps[1], Is.GreaterThanOrEqualTo(TimeSpan.FromMilliseconds(95)), "and longer before the third");
        // Handled once, and not marked as a redelivery: the refused attempts never reached it.
        Assert.That(received, Has.Count.EqualTo(1));
        Assert.That(received.Single().Redelivered, Is.Zero);
    }

    [Test]
    public async Task Publish_RepeatedTransportFailures_WaitDoublesUpToTheCap()
    {
        // Arrange
        var received = new ConcurrentQueue<BrokerMessage>();
        await using var subscription = await SubscribeAsync("slow", received);
        var publisher = CreatePublisher(o =>
        {
            o.MaxDeliveryAttempts = 6;
            o.RetryDelay = TimeSpan.FromMilliseconds(20);
            o.MaxRetryDelay = TimeSpan.FromMilliseconds(70);
        });
        _flaky.RefuseNextDials(5);

        // Act
        var result = await publisher.PublishAsync(Message("slow")).Bounded();

        // Assert: 20, 40, then 80 capped at 70, and 70 from there on.
        Assert.That(result.Deliveries.Single().Attempts, Is.EqualTo(6));
        Assert.That(_clock.Waits.Select(w => w.TotalMilliseconds), Is.EqualTo(new[] { 20, 40, 70, 70, 70 }));
        var gaps = Gaps(_flaky.Dials);
        var expected = new[] { 20, 40, 70, 70, 70 };
        Assert.That(gaps, Has.Length.EqualTo(expected.Length));
        for (var i = 0; i < gaps.Length; i++)
        {
            Assert.That(gaps[i].TotalMilliseconds, Is.GreaterThanOrEqualTo(expected[i] - 5), $"gap before attempt {i + 2}");
        }
        Assert.That(received, Has.Count.EqualTo(1));
    }

    [Test]
    public async Task Publish_SubscriberNeverReachable_FailsAfterTheLastAttemptWithoutAFinalWait()
    {
        // Arrange
        var received = new ConcurrentQueue<BrokerMessage>();
        await using var subscription = await SubscribeAsync("down", received);
        var publisher = CreatePublisher();
        _flaky.RefuseNextDials(int.MaxValue);

        // Act
        var e = Assert.ThrowsAsync<PublishException>(async () => await publisher.PublishAsync(Message("down")).Bounded());

        // Assert
        Assert.That(e!.Code, Is.EqualTo(MicroStatusCode.ServiceUnavailable));
        Assert.That(e.Result.Deliveries.Single().Attempts, Is.EqualTo(EmbeddedBrokerOptions.DefaultMaxDeliveryAttempts));
        Assert.That(e.Message, Does.Contain("refused (test)"));
        Assert.That(_clock.Waits, Has.Count.EqualTo(EmbeddedBrokerOptions.DefaultMaxDeliveryAttempts - 1), "no wait after the last attempt");
        Assert.That(received, Is.Empty);
    }

    [Test]
    public async Task Publish_ReplyLostAfterTheHandlerRan_RetriedAndMarkedRedelivered()
    {
        // Arrange: the first delivery reaches the handler, but its acknowledgement is lost on the way back.
        var received = new ConcurrentQueue<BrokerMessage>();
        await using var subscription = await SubscribeAsync("payments", received);
        var publisher = CreatePublisher();
        _flaky.LoseNextReplies(1);
        var message = Message("payments");

        // Act
        var result = await publisher.PublishAsync(message).Bounded();

        // Assert: at least once, documented: the retry carries Micro-Redelivered, so the handler can tell.
        var delivery = result.Deliveries.Single();
        Assert.That(delivery.Outcome, Is.EqualTo(DeliveryOutcome.Delivered));
        Assert.That(delivery.Attempts, Is.EqualTo(2));
        Assert.That(_clock.Waits, Is.EqualTo(new[] { EmbeddedBrokerOptions.DefaultRetryDelay }));
        Assert.That(Gaps(_flaky.Calls).Single(), Is.GreaterThanOrEqualTo(TimeSpan.FromMilliseconds(45)));
        var handled = received.ToArray();
        Assert.That(handled.Select(m => m.Id), Is.EqualTo(new[] { message.Id, message.Id }), "the same message, twice");
        Assert.That(handled[0].Redelivered, Is.Zero);
        Assert.That(handled[1].Redelivered, Is.EqualTo(1));
    }
}
