using System;
using System.Collections.Generic;
using System.Linq;
using System.Runtime.CompilerServices;
using System.Threading;
using System.Threading.Tasks;
using MicroGen.Client;
using MicroGen.Codec;
using MicroGen.Registry;
using MicroGen.Server;
using MicroGen.Service;
using MicroGen.Tests.EndToEnd;
using MicroGen.Transport;
using NUnit.Framework;

namespace MicroGen.Tests.Runtime;

/// <summary>Streaming calls through the client and server runtime with a hand-written dispatcher, on each transport.</summary>
[TestFixtureSource(typeof(Transports), nameof(Transports.All))]
public sealed class StreamingRuntimeTests(string transport)
{
    private static readonly Method<int, int> Range = new("streams", "Streams.Range", MethodType.ServerStreaming);
    private static readonly Method<Empty, long> Sum = new("streams", "Streams.Sum", MethodType.ClientStreaming);
    private static readonly Method<string, string> Echo = new("streams", "Streams.Echo", MethodType.DuplexStreaming);
    private static readonly Method<int, int> Unary = new("streams", "Streams.Unary");
    private static readonly Method<int, byte[]> Blobs = new("streams", "Streams.Blobs", MethodType.ServerStreaming);

    private MicroService _server = null!;
    private MicroService _caller = null!;
    private StreamsDispatcher _dispatcher = null!;

    [SetUp]
    public async Task SetUp()
    {
        var registry = new InMemoryRegistry();
        _dispatcher = new StreamsDispatcher();
        _server = new MicroService(new ServiceOptions { Name = "streams", Registry = registry, Transport = Transports.Create(transport) });
        _server.Server.AddDispatcher(_dispatcher);
        await _server.StartAsync().Bounded();
        _caller = new MicroService(new ServiceOptions { Name = "caller", Registry = registry, Transport = Transports.Create(transport) });
    }

    [TearDown]
    public async Task TearDown()
    {
        if (_caller is not null)
        {
            await _caller.DisposeAsync();
        }
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
        if (_server?.Options.Transport is { } t)
        {
            await t.DisposeAsync();
        }
        if (_caller?.Options.Transport is { } c)
        {
            await c.DisposeAsync();
        }
    }

    [TestCase(ContentTypes.MessagePack)]
    [TestCase(ContentTypes.Json)]
    public async Task ServerStream_ItemsArriveInOrder(string contentType)
    {
        var items = await Collect(_caller.Client.ServerStreamAsync(Range, 100, new CallOptions { ContentType = contentType }));
        Assert.That(items, Is.EqualTo(Enumerable.Range(0, 100)));
    }

    [Test]
    public async Task ServerStream_Empty_Completes()
    {
        Assert.That(await Collect(_caller.Client.ServerStreamAsync(Range, 0)), Is.Empty);
    }

    [Test]
    public async Task ClientStream_SumsItems()
    {
        var sum = await _caller.Client.ClientStreamAsync(Sum, Empty.Value, Numbers(1000)).Bounded();
        Assert.That(sum, Is.EqualTo(Enumerable.Range(0, 1000).Sum(i => (long)i)));
        Assert.That(await _caller.Client.ClientStreamAsync(Sum, Empty.Value, Numbers(0)).Bounded(), Is.Zero);
    }

    [Test]
    public async Task UntypedStream_EncodedMessagesBothWays()
    {
        // go-micro's Client.Stream: no contract, the caller encodes and decodes itself.
        var codec = MessagePackCodec.Instance;
        var first = new System.Buffers.ArrayBufferWriter<byte>();
        codec.Serialize(first, "raw");
        await using var stream = await _caller.Client.StreamAsync("streams", "Streams.Echo", codec.ContentType, first.WrittenMemory).Bounded();

        var replies = new List<string>();
        foreach (var word in new[] { "a", "b", "c" })
        {
            var message = new System.Buffers.ArrayBufferWriter<byte>();
            codec.Serialize(message, word);
            await stream.WriteAsync(message.WrittenMemory).Bounded();
            Assert.That(await stream.MoveNextAsync().Bounded(), Is.True);
            replies.Add(codec.Deserialize<string>(stream.Current));
        }
        await stream.CompleteAsync().Bounded();

        Assert.That(await stream.MoveNextAsync().Bounded(), Is.False);
        Assert.That(replies, Is.EqualTo(new[] { "raw:a", "raw:b", "raw:c" }));
    }

    [Test]
    public async Task Duplex_EchoesEachItem()
    {
        var replies = await Collect(_caller.Client.DuplexStreamAsync(Echo, "pre", Words(50)));
        Assert.That(replies, Is.EqualTo(Enumerable.Range(0, 50).Select(i => $"pre:w{i}")));
    }

    [Test]
    public async Task Duplex_ItemOver4MiB_RefusedWith413OverTcpAndCarriedInMemory()
    {
        var huge = new string('x', 5 * 1024 * 1024);
        if (transport == "tcp")
        {
            // Over the wire the peer's 4 MiB frame limit refuses the item, with a clear error.
            var e = Assert.ThrowsAsync<MicroException>(async () => await Collect(_caller.Client.DuplexStreamAsync(Echo, "pre", Items("small", huge))));
            Assert.That(e!.Code, Is.EqualTo(MicroStatusCode.PayloadTooLarge));
        }
        else
        {
            // In one process there is no frame to limit: the item arrives whole.
            var replies = await Collect(_caller.Client.DuplexStreamAsync(Echo, "pre", Items("small", huge)));
            Assert.That(replies, Is.EqualTo(new[] { "pre:small", "pre:" + huge }));
        }
    }

    [Test]
    public void Duplex_CallersItemsThrow_CallerGetsThatException()
    {
        var e = Assert.ThrowsAsync<InvalidOperationException>(async () => await Collect(_caller.Client.DuplexStreamAsync(Echo, "pre", Failing())));
        Assert.That(e!.Message, Is.EqualTo("the items failed"));
    }

    [Test]
    public async Task ServerStream_ErrorMidStream_ArrivesAfterItemsSent()
    {
        var received = new List<int>();
        var e = Assert.ThrowsAsync<MicroException>(async () =>
        {
            await foreach (var item in _caller.Client.ServerStreamAsync(Range, -5).WithCancellation(Deadline()))
            {
                received.Add(item);
            }
        });
        Assert.That(e!.Code, Is.EqualTo(422));
        Assert.That(received, Is.EqualTo(new[] { 0, 1, 2, 3, 4 }));
        await Task.CompletedTask;
    }

    [Test]
    public async Task ServerStream_CallerCancels_HandlerObservesAndEnumerationEnds()
    {
        using var cts = new CancellationTokenSource(TestTimeouts.Default);
        var received = 0;
        var e = Assert.CatchAsync<OperationCanceledException>(async () =>
        {
            await foreach (var item in _caller.Client.ServerStreamAsync(Range, int.MaxValue, cancellationToken: cts.Token))
            {
                if (++received == 10)
                {
                    cts.Cancel();
                }
            }
        });
        Assert.That(e, Is.Not.Null);
        Assert.That(await _dispatcher.RangeCancelled.Task.Bounded(), Is.True);
    }

    [Test]
    public async Task ServerStream_CallerStopsEarly_HandlerCancelled()
    {
        await foreach (var item in _caller.Client.ServerStreamAsync(Range, int.MaxValue).WithCancellation(Deadline()))
        {
            if (item == 3)
            {
                break;
            }
        }
        Assert.That(await _dispatcher.RangeCancelled.Task.Bounded(), Is.True);
    }

    [Test]
    public void Stream_ToUnaryEndpoint_Refused405()
    {
        var misuse = new Method<int, int>("streams", "Streams.Unary", MethodType.ServerStreaming);
        var e = Assert.ThrowsAsync<MicroException>(async () => await Collect(_caller.Client.ServerStreamAsync(misuse, 1)));
        Assert.That(e!.Code, Is.EqualTo(MicroStatusCode.MethodNotAllowed));
    }

    [Test]
    public void Unary_ToStreamEndpoint_Refused405()
    {
        var misuse = new Method<int, int>("streams", "Streams.Range");
        var e = Assert.ThrowsAsync<MicroException>(async () => await _caller.Client.CallAsync(misuse, 1).Bounded());
        Assert.That(e!.Code, Is.EqualTo(MicroStatusCode.MethodNotAllowed));
    }

    [Test]
    public async Task ServerStream_SlowConsumer_MemoryStaysBounded()
    {
        // Arrange: 100,000 messages of 1 KiB (~100 MB in all) to a consumer slower than the producer all the way.
        const int count = 100_000;
        // How far the handler may run ahead: the in-memory stream's 64-message channel; TCP's 1 MiB
        // window of 1,037-byte frames (1 KiB + MessagePack's bin header + the frame header), plus one
        // frame that overdraws it (PROTOCOL.md §8.3). A couple more for the items in the callers' hands.
        var allowedAhead = transport == "memory" ? 64 + 2 : (int)Math.Ceiling(1024.0 * 1024 / 1037) + 1 + 2;
        GC.Collect();
        GC.WaitForPendingFinalizers();
        var before = GC.GetTotalMemory(forceFullCollection: true);
        long peak = 0;
        var received = 0;
        var maxAhead = 0;

        // Act
        await foreach (var item in _caller.Client.ServerStreamAsync(Blobs, count).WithCancellation(Deadline(TimeSpan.FromSeconds(60))))
        {
            Assert.That(item, Has.Length.EqualTo(1024));
            Assert.That(item[0], Is.EqualTo((byte)received));
            received++;
            if (received % 200 == 0)
            {
                // A short pause every 200 items (500 in all, a few seconds): slow throughout, not in bursts.
                await Task.Delay(1);
                maxAhead = Math.Max(maxAhead, _dispatcher.BlobsWritten - received);
            }
            if (received % 10_000 == 0)
            {
                // Live memory, not garbage awaiting a collection: what the stream holds on to.
                peak = Math.Max(peak, GC.GetTotalMemory(forceFullCollection: true) - before);
            }
        }

        // Assert
        Assert.That(received, Is.EqualTo(count));
        Assert.That(maxAhead, Is.GreaterThan(allowedAhead / 2), "the handler did fill the window: the consumer really was the slower side");
        Assert.That(maxAhead, Is.LessThanOrEqualTo(allowedAhead), "flow control holds the handler back to one window ahead of the consumer");
        Assert.That(peak, Is.LessThan(16L * 1024 * 1024), $"managed heap grew by {peak:N0} bytes while ~{count * 1024L:N0} bytes were streamed");
        TestContext.Out.WriteLine($"{transport}: handler at most {maxAhead} items ahead (allowed {allowedAhead}), heap peak +{peak:N0} bytes");
    }

    /// <summary>Bounds an enumeration: a hang ends as a cancellation instead of stalling the run.</summary>
    private static CancellationToken Deadline(TimeSpan? timeout = null) => new CancellationTokenSource(timeout ?? TestTimeouts.Default).Token;

    private static async Task<List<T>> Collect<T>(IAsyncEnumerable<T> source)
    {
        var list = new List<T>();
        await foreach (var item in source.WithCancellation(new CancellationTokenSource(TestTimeouts.Default).Token))
        {
            list.Add(item);
        }
        return list;
    }

    private static async IAsyncEnumerable<int> Numbers(int count)
    {
        for (var i = 0; i < count; i++)
        {
            if (i % 100 == 0)
            {
                await Task.Yield();
            }
            yield return i;
        }
    }

    private static async IAsyncEnumerable<string> Items(params string[] items)
    {
        foreach (var item in items)
        {
            await Task.Yield();
            yield return item;
        }
    }

    private static async IAsyncEnumerable<string> Failing()
    {
        await Task.Yield();
        yield return "one";
        throw new InvalidOperationException("the items failed");
    }

    private static async IAsyncEnumerable<string> Words(int count)
    {
        for (var i = 0; i < count; i++)
        {
            await Task.Yield();
            yield return $"w{i}";
        }
    }

    private sealed class StreamsDispatcher : IServiceDispatcher
    {
        public ServiceDescriptor Descriptor { get; } = new("streams", "1.0.0", "Streams", new MethodDescriptor[] { Range, Sum, Echo, Unary, Blobs });

        public TaskCompletionSource<bool> RangeCancelled { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public ValueTask DispatchAsync(ServerCall call) => call.Endpoint switch
        {
            "Streams.Range" => RangeAsync(call),
            "Streams.Sum" => SumAsync(call),
            "Streams.Echo" => EchoAsync(call),
            "Streams.Unary" => UnaryAsync(call),
            "Streams.Blobs" => BlobsAsync(call),
            _ => throw call.EndpointNotFound(),
        };

        private async ValueTask RangeAsync(ServerCall call)
        {
            // n >= 0: items 0..n-1. n < 0: |n| items, then an error.
            var n = call.ReadRequest<int>();
            var count = Math.Abs(n);
            try
            {
                for (var i = 0; i < count; i++)
                {
                    call.CancellationToken.ThrowIfCancellationRequested();
                    await call.WriteItemAsync(i);
                }
            }
            catch (Exception e) when (e is OperationCanceledException or MicroException)
            {
                RangeCancelled.TrySetResult(true);
                throw;
            }
            finally
            {
                // However the loop ended (its token, or a write to a stream the caller left), the
                // handler must see its token cancelled by the time it returns.
                if (call.CancellationToken.IsCancellationRequested)
                {
                    RangeCancelled.TrySetResult(true);
                }
            }
            if (n < 0)
            {
                throw new MicroException("streams", 422, "stopped on purpose");
            }
        }

        private static async ValueTask SumAsync(ServerCall call)
        {
            call.ReadRequest<Empty>();
            long sum = 0;
            await foreach (var item in call.ReadStream<int>())
            {
                sum += item;
            }
            call.WriteResponse(sum);
        }

        private static async ValueTask EchoAsync(ServerCall call)
        {
            var prefix = call.ReadRequest<string>();
            await foreach (var word in call.ReadStream<string>())
            {
                await call.WriteItemAsync($"{prefix}:{word}");
            }
        }

        private int _blobsWritten;

        /// <summary>How many items the last Blobs call has written so far.</summary>
        public int BlobsWritten => Volatile.Read(ref _blobsWritten);

        private async ValueTask BlobsAsync(ServerCall call)
        {
            var count = call.ReadRequest<int>();
            var blob = new byte[1024];
            for (var i = 0; i < count; i++)
            {
                blob[0] = (byte)i;
                await call.WriteItemAsync(blob);
                Volatile.Write(ref _blobsWritten, i + 1);
            }
        }

        private static ValueTask UnaryAsync(ServerCall call)
        {
            call.WriteResponse(call.ReadRequest<int>() + 1);
            return ValueTask.CompletedTask;
        }
    }
}
