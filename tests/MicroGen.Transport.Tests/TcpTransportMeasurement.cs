using System;
using System.Diagnostics;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using MicroGen.Transport.Tests.Infrastructure;
using NUnit.Framework;

namespace MicroGen.Transport.Tests;

/// <summary>
/// A quick measurement, not a test: unary round-trip latency and throughput over TCP loopback.
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

    /// <summary>Answers with a fixed small body and records nothing.</summary>
    private sealed class ReplyHandler : ITransportHandler
    {
        private static readonly System.Buffers.ReadOnlySequence<byte> s_reply = new("hello back"u8.ToArray());

        public ValueTask<TransportResponse> HandleAsync(TransportRequest request, CancellationToken cancellationToken) =>
            new(new TransportResponse(request.ContentType, s_reply));
    }
}
