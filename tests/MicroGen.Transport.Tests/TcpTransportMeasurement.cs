using System;
using System.Diagnostics;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using MicroGen.Transport.Tests.Infrastructure;
using NUnit.Framework;

namespace MicroGen.Transport.Tests;

/// <summary>
/// A quick measurement, not a test: unary round-trip latency and throughput, and messages per
/// second through one server stream, over TCP loopback.
/// Run with <c>dotnet test -c Release --filter "FullyQualifiedName~TcpTransportMeasurement"</c>.
/// </summary>
[Explicit("measurement; prints figures and asserts nothing about speed")]
public sealed class TcpTransportMeasurement : TransportTestBase
{
    [TestCase(1)]
    [TestCase(64)]
    public async Task Measure_UnaryLoopback_PrintsLatencyAndThroughput(int callers)
    {
        // Arrange
        var listener = await ListenAsync(new ReplyHandler(), configure: o => o.LoggerFactory = null);
        var connection = await DialAsync(listener.Address, o => o.LoggerFactory = null);
        var request = Calls.Request("hello, small payload");
        for (var i = 0; i < 2000; i++)
        {
            using var warm = await connection.InvokeAsync(request);
        }

        // Act
        var duration = TimeSpan.FromSeconds(5);
        var gen0Before = GC.CollectionCount(0);
        var stop = Stopwatch.StartNew();
        var perCaller = await Task.WhenAll(Enumerable.Range(0, callers).Select(_ => Task.Run(async () =>
        {
            var samples = new System.Collections.Generic.List<long>(1 << 16);
            while (stop.Elapsed < duration)
            {
                var start = Stopwatch.GetTimestamp();
                using var response = await connection.InvokeAsync(request);
                samples.Add(Stopwatch.GetTimestamp() - start);
            }
            return samples;
        }))).WaitAsync(duration + TestTimeouts.Default);
        var elapsed = stop.Elapsed;
        var gen0 = GC.CollectionCount(0) - gen0Before;

        // Assert (figures only)
        var all = perCaller.SelectMany(s => s).Order().ToArray();
        double Micros(long ticks) => ticks * 1_000_000.0 / Stopwatch.Frequency;
        TestContext.Out.WriteLine(
            $"callers={callers} calls={all.Length} rps={all.Length / elapsed.TotalSeconds:N0} " +
            $"p50={Micros(all[all.Length / 2]):N1}us p99={Micros(all[(int)(all.Length * 0.99)]):N1}us gen0={gen0}");
        Assert.That(all, Is.Not.Empty);
    }

    [TestCase(16)]
    [TestCase(1024)]
    public async Task Measure_ServerStreamLoopback_PrintsMessagesPerSecond(int messageSize)
    {
        // Arrange: one server stream that writes as fast as its window lets it.
        var handler = new StreamHandler(async (request, stream, ct) =>
        {
            var message = new byte[messageSize];
            while (!ct.IsCancellationRequested)
            {
                await stream.WriteAsync(message, ct);
            }
        });
        var listener = await ListenAsync(handler, configure: o => o.LoggerFactory = null);
        var connection = await DialAsync(listener.Address, o => o.LoggerFactory = null);
        using var cts = new CancellationTokenSource();
        var stream = await connection.OpenStreamAsync(Streams.Request(), cts.Token).DefaultTimeout();
        for (var i = 0; i < 100_000; i++)
        {
            await stream.MoveNextAsync();
        }

        // Act
        var duration = TimeSpan.FromSeconds(5);
        var gen0Before = GC.CollectionCount(0);
        var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
        var stop = Stopwatch.StartNew();
        long received = 0;
        while (stop.Elapsed < duration)
        {
            for (var i = 0; i < 1000; i++)
            {
                await stream.MoveNextAsync();
            }
            received += 1000;
        }
        var elapsed = stop.Elapsed;
        var allocated = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore;
        var gen0 = GC.CollectionCount(0) - gen0Before;
        cts.Cancel();
        await stream.DisposeAsync();

        // Assert (figures only)
        TestContext.Out.WriteLine(
            $"size={messageSize} messages={received:N0} msg/s={received / elapsed.TotalSeconds:N0} " +
            $"MB/s={received * messageSize / elapsed.TotalSeconds / 1e6:N1} allocated/msg={(double)allocated / received:N1}B gen0={gen0}");
        Assert.That(received, Is.Positive);
    }

    /// <summary>Answers with a fixed small body and records nothing.</summary>
    private sealed class ReplyHandler : ITransportHandler
    {
        private static readonly System.Buffers.ReadOnlySequence<byte> s_reply = new("hello back"u8.ToArray());

        public ValueTask<TransportResponse> HandleAsync(TransportRequest request, CancellationToken cancellationToken) =>
            new(new TransportResponse(request.ContentType, s_reply));
    }
}
