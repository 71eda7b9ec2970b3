using System;
using System.Buffers;
using System.Diagnostics;
using System.Linq;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using MicroGen.Transport.Tests.Infrastructure;
using NUnit.Framework;

namespace MicroGen.Transport.Tests;

/// <summary>
/// Requests written while a batch of replies is being delivered to their callers are flushed by the
/// last delivery, and a lone call's frames skip the send loop. These check the cases a deferred
/// flush could strand (a caller that blocks in its continuation) and that frames sent directly and
/// through the send loop never mix up.
/// </summary>
public sealed class TcpTransportDeliveryTests : TransportTestBase
{
    [Test]
    public async Task ContinuationsBlockingOnANewCall_ReleasedByTheBackstop_NoStall()
    {
        // Arrange: the server holds every reply until all the callers' requests are in, so the
        // replies arrive together and are delivered as one batch.
        const int callers = 4;
        var handler = new GateHandler(callers);
        var listener = await ListenAsync(handler);
        var connection = await DialAsync(listener.Address);
        var watch = Stopwatch.StartNew();

        // Act: each continuation writes a second request and waits for its reply synchronously,
        // inside the delivery of the first, which therefore never ends while it waits.
        var calls = Enumerable.Range(0, callers).Select(async i =>
        {
            using (var first = await connection.InvokeAsync(Calls.Request($"first {i}", timeout: TimeSpan.FromSeconds(10))).ConfigureAwait(false))
            {
                Assert.That(first.Text(), Is.EqualTo($"first {i}"));
            }
            using var second = connection.InvokeAsync(Calls.Request($"second {i}", timeout: TimeSpan.FromSeconds(10))).AsTask().GetAwaiter().GetResult();
            return second.Text();
        }).ToArray();
        var replies = await Task.WhenAll(calls).DefaultTimeout();

        // Assert: far less than the 10 s deadline a stranded request would have waited for.
        Assert.That(replies, Is.EquivalentTo(Enumerable.Range(0, callers).Select(i => $"second {i}")));
        Assert.That(watch.Elapsed, Is.LessThan(TimeSpan.FromSeconds(5)));
    }

    [Test]
    public async Task ClosedLoopCallers_ManyRounds_EveryReplyMatchesItsRequest()
    {
        // Arrange
        var listener = await ListenAsync(new EchoHandler());
        var connection = await DialAsync(listener.Address);

        // Act: 32 callers each send their next request from the continuation of the last reply.
        var callers = Enumerable.Range(0, 32).Select(async c =>
        {
            for (var i = 0; i < 200; i++)
            {
                using var response = await connection.InvokeAsync(Calls.Request($"{c}/{i}")).ConfigureAwait(false);
                if (response.Text() != $"{c}/{i}")
                {
                    return $"{c}/{i} came back as {response.Text()}";
                }
            }
            return null;
        }).ToArray();
        var failures = await Task.WhenAll(callers).DefaultTimeout();

        // Assert
        Assert.That(failures.Where(f => f is not null), Is.Empty);
    }

    [Test]
    public async Task LoneCallsSentDirectly_InterleavedWithBursts_EveryReplyMatchesItsRequest()
    {
        // Arrange: a lone call goes straight to the socket, a burst through the send loop.
        var listener = await ListenAsync(new EchoHandler());
        var connection = await DialAsync(listener.Address);
        var large = new string('x', 70 * 1024);

        for (var round = 0; round < 30; round++)
        {
            // Act
            using (var lone = await connection.InvokeAsync(Calls.Request($"lone {round}")).DefaultTimeout())
            {
                Assert.That(lone.Text(), Is.EqualTo($"lone {round}"));
            }
            var burst = Enumerable.Range(0, 20).Select(i => connection.InvokeAsync(Calls.Request($"burst {round}/{i}")).AsTask()).ToArray();
            // Larger than a direct send takes: through the send loop even when alone.
            using (var big = await connection.InvokeAsync(Calls.Request(large + round)).DefaultTimeout())
            {
                Assert.That(big.Text(), Is.EqualTo(large + round));
            }

            // Assert
            var replies = await Task.WhenAll(burst).DefaultTimeout();
            Assert.That(replies.Select(r => r.Text()), Is.EqualTo(Enumerable.Range(0, 20).Select(i => $"burst {round}/{i}")));
            foreach (var reply in replies)
            {
                reply.Dispose();
            }
        }
    }

    /// <summary>Echoes the first <c>count</c> requests once all of them arrived; later ones at once.</summary>
    private sealed class GateHandler(int count) : ITransportHandler
    {
        private readonly TaskCompletionSource _all = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _seen;

        public async ValueTask<TransportResponse> HandleAsync(TransportRequest request, CancellationToken cancellationToken)
        {
            var body = request.Text();
            if (Interlocked.Increment(ref _seen) <= count)
            {
                if (Volatile.Read(ref _seen) >= count)
                {
                    _all.TrySetResult();
                }
                await _all.Task.WaitAsync(cancellationToken);
            }
            return new TransportResponse(request.ContentType, new ReadOnlySequence<byte>(Encoding.UTF8.GetBytes(body)));
        }
    }
}
