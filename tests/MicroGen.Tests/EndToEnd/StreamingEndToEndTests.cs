using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Runtime.CompilerServices;
using System.Threading;
using System.Threading.Channels;
using System.Threading.Tasks;
using MicroGen.Client;
using MicroGen.Codec;
using MicroGen.Registry;
using MicroGen.Service;
using MicroGen.Tests.Protos;
using NUnit.Framework;

namespace MicroGen.Tests.EndToEnd;

/// <summary>
/// Generated streaming proxies and dispatchers end to end: server, client and duplex streams in
/// every codec, ordering, empty streams, errors mid-stream, cancellation and metadata, on each transport.
/// </summary>
[TestFixtureSource(typeof(Transports), nameof(Transports.All))]
public sealed class StreamingEndToEndTests(string transport)
{
    private ServicePair? _services;
    private InMemoryRegistry _registry = null!;
    private IService _server = null!;
    private IService _caller = null!;
    private StreamingHandler _handler = null!;

    [SetUp]
    public async Task SetUp()
    {
        _handler = new StreamingHandler();
        _services = await ServicePair.StartAsync(transport, "e2e-streaming", s => s.Handle<IStreaming>(_handler).Handle<ITicker>(new TickerHandler()));
        _registry = _services.Registry;
        _server = _services.Server;
        _caller = _services.Caller;
    }

    [TearDown]
    public async Task TearDown()
    {
        if (_services is not null)
        {
            await _services.DisposeAsync();
        }
    }

    private static IEnumerable<string> ContentTypesForDtos => new[] { ContentTypes.MessagePack, ContentTypes.Json };

    private static IEnumerable<string?> ContentTypesForProtobuf => new string?[] { null, ContentTypes.Protobuf, ContentTypes.MessagePack, ContentTypes.Json };

    private IStreaming Streaming(string? contentType = null) =>
        _caller.Client.For<IStreaming>(contentType is null ? null : new CallOptions { ContentType = contentType });

    [Test]
    public void Descriptor_StreamingMethods_CarryTheirShapeAndContentType()
    {
        Assert.That(StreamingDescriptor.Count.Type, Is.EqualTo(MethodType.ServerStreaming));
        Assert.That(StreamingDescriptor.Upload.Type, Is.EqualTo(MethodType.ClientStreaming));
        Assert.That(StreamingDescriptor.Echo.Type, Is.EqualTo(MethodType.DuplexStreaming));
        Assert.That(StreamingDescriptor.Count.DefaultContentType, Is.EqualTo(ContentTypes.MessagePack));
        Assert.That(TickerDescriptor.Ticks.DefaultContentType, Is.EqualTo(ContentTypes.Protobuf));
        Assert.That(TickerDescriptor.Gather.DefaultContentType, Is.EqualTo(ContentTypes.Protobuf));
        Assert.That(TickerDescriptor.Relay.DefaultContentType, Is.EqualTo(ContentTypes.Protobuf));
    }

    [TestCaseSource(nameof(ContentTypesForDtos))]
    public async Task ServerStream_EveryCodec_ItemsArriveInOrder(string contentType)
    {
        var streaming = Streaming(contentType);

        var lines = await ToListAsync(streaming.Count(500)).Bounded();
        Assert.That(lines, Is.EqualTo(Enumerable.Range(0, 500).Select(i => new Line(i, $"line {i}"))));

        var tail = await ToListAsync(streaming.Tail("app.log", 10, 5)).Bounded();
        Assert.That(tail, Is.EqualTo(Enumerable.Range(10, 5).Select(i => new Line(i, $"app.log:{i}"))));
    }

    [TestCaseSource(nameof(ContentTypesForDtos))]
    public async Task ServerStream_Empty_Completes(string contentType)
    {
        var streaming = Streaming(contentType);

        Assert.That(await ToListAsync(streaming.Count(0)).Bounded(), Is.Empty);
        Assert.That(await ToListAsync(streaming.Tail("app.log", 10, 0)).Bounded(), Is.Empty);
    }

    [TestCaseSource(nameof(ContentTypesForDtos))]
    public async Task ClientStream_EveryResultShape_RoundTrips(string contentType)
    {
        var streaming = Streaming(contentType);

        var summary = await streaming.Upload("photo.jpg", Chunks(100)).Bounded();
        Assert.That(summary, Is.EqualTo(new UploadSummary("photo.jpg", 100, Enumerable.Range(0, 100).Sum(i => (long)(i % 64)))));

        Assert.That(await streaming.Sum(Numbers(1000)).Bounded(), Is.EqualTo(Enumerable.Range(0, 1000).Sum(i => (long)i)));

        await streaming.Collect("words", Words(50)).Bounded();
        Assert.That(_handler.Collected["words"], Is.EqualTo(Enumerable.Range(0, 50).Select(i => $"w{i} 🌍")));

        await streaming.Discard(Numbers(10)).Bounded();
        Assert.That(_handler.Discarded, Is.EqualTo(10));
    }

    [TestCaseSource(nameof(ContentTypesForDtos))]
    public async Task ClientStream_EmptyStream_Completes(string contentType)
    {
        var streaming = Streaming(contentType);

        Assert.That(await streaming.Upload("empty", Chunks(0)).Bounded(), Is.EqualTo(new UploadSummary("empty", 0, 0)));
        Assert.That(await streaming.Sum(Numbers(0)).Bounded(), Is.Zero);
        await streaming.Collect("none", Words(0)).Bounded();
        Assert.That(_handler.Collected["none"], Is.Empty);
        await streaming.Discard(Numbers(0)).Bounded();
        Assert.That(_handler.Discarded, Is.Zero);
    }

    [TestCaseSource(nameof(ContentTypesForDtos))]
    public async Task Duplex_EveryCodec_RepliesInOrder(string contentType)
    {
        var streaming = Streaming(contentType);

        var echoed = await ToListAsync(streaming.Echo("> ", Lines(Enumerable.Range(0, 200).Select(i => $"text {i}").ToArray()))).Bounded();
        Assert.That(echoed, Is.EqualTo(Enumerable.Range(0, 200).Select(i => new Line(i, $"> text {i}"))));

        var running = await ToListAsync(streaming.Running(Numbers(100))).Bounded();
        Assert.That(running, Is.EqualTo(Enumerable.Range(0, 100).Select(i => (long)i * (i + 1) / 2)));
    }

    [TestCaseSource(nameof(ContentTypesForDtos))]
    public async Task Duplex_Empty_Completes(string contentType)
    {
        var streaming = Streaming(contentType);

        Assert.That(await ToListAsync(streaming.Echo("> ", Lines())).Bounded(), Is.Empty);
        Assert.That(await ToListAsync(streaming.Running(Numbers(0))).Bounded(), Is.Empty);
    }

    [Test]
    public async Task Duplex_PingPong_EachReplyArrivesBeforeTheNextItemIsSent()
    {
        // The caller sends item n+1 only after reading the reply to item n: a duplex call that
        // buffered either side until the other completed would never finish.
        var numbers = Channel.CreateUnbounded<int>();
        var replies = new List<long>();
        numbers.Writer.TryWrite(1);

        async Task PingPongAsync()
        {
            await foreach (var sum in Streaming().Running(numbers.Reader.ReadAllAsync()))
            {
                replies.Add(sum);
                if (replies.Count == 20)
                {
                    numbers.Writer.Complete();
                }
                else
                {
                    numbers.Writer.TryWrite(replies.Count + 1);
                }
            }
        }

        await PingPongAsync().Bounded();

        Assert.That(replies, Is.EqualTo(Enumerable.Range(1, 20).Select(n => (long)n * (n + 1) / 2)));
    }

    [TestCaseSource(nameof(ContentTypesForProtobuf))]
    public async Task Protobuf_EveryShape_RoundTripsInEveryCodec(string? contentType)
    {
        var ticker = _caller.Client.For<ITicker>(contentType is null ? null : new CallOptions { ContentType = contentType });

        var ticks = await ToListAsync(ticker.Ticks(new PingRequest { Name = "tick", Count = 50 })).Bounded();
        Assert.That(ticks.Select(t => t.Sequence), Is.EqualTo(Enumerable.Range(0, 50)));
        Assert.That(ticks.Select(t => t.Label), Is.All.EqualTo("tick"));
        Assert.That(await ToListAsync(ticker.Ticks(new PingRequest { Name = "none", Count = 0 })).Bounded(), Is.Empty);

        var gathered = await ticker.Gather(Ticks(30, "gather")).Bounded();
        Assert.That(gathered.Numbers, Is.EqualTo(Enumerable.Range(0, 30)));
        Assert.That(gathered.Message, Is.EqualTo("gather"));
        Assert.That((await ticker.Gather(Ticks(0, "none")).Bounded()).Numbers, Is.Empty);

        var relayed = await ToListAsync(ticker.Relay(Ticks(40, "relay"))).Bounded();
        Assert.That(relayed.Select(t => t.Sequence), Is.EqualTo(Enumerable.Range(0, 40).Select(i => i * 2)));
        Assert.That(relayed.Select(t => t.Label), Is.All.EqualTo("relay"));
    }

    [Test]
    public async Task ServerStream_HandlerErrorMidStream_ArrivesAfterItemsSent()
    {
        var received = new List<Line>();

        var e = Assert.ThrowsAsync<MicroException>(async () => await AddAllAsync(Streaming().FailAfter(5, crash: false), received).Bounded());

        Assert.That(e!.Id, Is.EqualTo("streaming.fail"));
        Assert.That(e.Code, Is.EqualTo(422));
        Assert.That(e.Detail, Is.EqualTo("failed after 5 items"));
        Assert.That(received.Select(l => l.Number), Is.EqualTo(Enumerable.Range(0, 5)));
        await Task.CompletedTask;
    }

    [Test]
    public async Task ServerStream_HandlerCrashMidStream_Arrives500WithoutText()
    {
        var received = new List<Line>();

        var e = Assert.ThrowsAsync<MicroException>(async () => await AddAllAsync(Streaming().FailAfter(3, crash: true), received).Bounded());

        Assert.That(e!.Code, Is.EqualTo(500));
        Assert.That(e.ToString(), Does.Not.Contain("hunter2"));
        Assert.That(received, Has.Count.EqualTo(3));
        await Task.CompletedTask;
    }

    [Test]
    public async Task ClientStream_HandlerErrorMidStream_ArrivesAsMicroException()
    {
        var e = Assert.ThrowsAsync<MicroException>(async () => await Streaming().Upload("reject", Chunks(10)).Bounded());

        Assert.That(e!.Id, Is.EqualTo("streaming.upload"));
        Assert.That(e.Code, Is.EqualTo(413));
        Assert.That(await _handler.Ended.Task.Bounded(), Is.EqualTo("Upload: stopped"));
    }

    [Test]
    public async Task Duplex_HandlerErrorMidStream_ArrivesAfterItemsSent()
    {
        var received = new List<Line>();

        var e = Assert.ThrowsAsync<MicroException>(async () => await AddAllAsync(Streaming().Echo("> ", Lines("a", "b", "c", "boom", "never")), received).Bounded());

        Assert.That(e!.Id, Is.EqualTo("streaming.echo"));
        Assert.That(e.Code, Is.EqualTo(409));
        Assert.That(e.Detail, Is.EqualTo("line 3 went boom"));
        Assert.That(received.Select(l => l.Text), Is.EqualTo(new[] { "> a", "> b", "> c" }));
        await Task.CompletedTask;
    }

    [Test]
    public async Task ServerStream_CallerCancels_HandlerTokenFiresAndEnumerationThrows()
    {
        using var cts = new CancellationTokenSource();
        var received = 0;

        Assert.CatchAsync<OperationCanceledException>(async () => await ConsumeAsync(Streaming().Forever(cts.Token), _ =>
        {
            if (++received == 10)
            {
                cts.Cancel();
            }
        }).Bounded());

        Assert.That(received, Is.EqualTo(10));
        Assert.That(await _handler.Ended.Task.Bounded(), Is.EqualTo("Forever: cancelled"));
        Assert.That(await _handler.TokenFired.Task.Bounded(), Is.EqualTo(nameof(IStreaming.Forever)));
    }

    [Test]
    public async Task ServerStream_CallerCancelsThroughWithCancellation_HandlerTokenFires()
    {
        using var cts = new CancellationTokenSource();
        var received = 0;

        async Task EnumerateAsync()
        {
            await foreach (var _ in Streaming().Forever().WithCancellation(cts.Token))
            {
                if (++received == 5)
                {
                    cts.Cancel();
                }
            }
        }

        Assert.CatchAsync<OperationCanceledException>(async () => await EnumerateAsync().Bounded());
        Assert.That(await _handler.TokenFired.Task.Bounded(), Is.EqualTo(nameof(IStreaming.Forever)));
    }

    [Test]
    public async Task ServerStream_CallerStopsEarly_HandlerTokenFires()
    {
        async Task TakeThreeAsync()
        {
            await foreach (var item in Streaming().Forever())
            {
                if (item == 2)
                {
                    break;
                }
            }
        }

        await TakeThreeAsync().Bounded();

        Assert.That(await _handler.Ended.Task.Bounded(), Is.EqualTo("Forever: cancelled"));
        Assert.That(await _handler.TokenFired.Task.Bounded(), Is.EqualTo(nameof(IStreaming.Forever)));
    }

    [Test]
    public async Task ClientStream_CallerCancels_HandlerTokenFiresAndCallThrows()
    {
        using var cts = new CancellationTokenSource();
        var call = Streaming().Upload("slow", ThenWait(Chunks(3)), cts.Token);
        await _handler.FirstItemReceived.Task.Bounded();

        cts.Cancel();

        Assert.CatchAsync<OperationCanceledException>(async () => await call.Bounded());
        // A cancelled upload must never look like a complete one to the handler.
        Assert.That(await _handler.Ended.Task.Bounded(), Is.EqualTo("Upload: cancelled"));
        Assert.That(await _handler.TokenFired.Task.Bounded(), Is.EqualTo(nameof(IStreaming.Upload)));
    }

    [Test]
    public async Task Duplex_CallerCancels_HandlerTokenFiresAndEnumerationThrows()
    {
        using var cts = new CancellationTokenSource();
        var received = new List<Line>();

        Assert.CatchAsync<OperationCanceledException>(async () => await ConsumeAsync(Streaming().Echo("> ", ThenWait(Lines("a", "b")), cts.Token), line =>
        {
            received.Add(line);
            if (received.Count == 2)
            {
                cts.Cancel();
            }
        }).Bounded());

        Assert.That(received.Select(l => l.Text), Is.EqualTo(new[] { "> a", "> b" }));
        Assert.That(await _handler.Ended.Task.Bounded(), Is.EqualTo("Echo: cancelled"));
        Assert.That(await _handler.TokenFired.Task.Bounded(), Is.EqualTo(nameof(IStreaming.Echo)));
    }

    [Test]
    public async Task ServerStream_HandlerCancelsItself_EnumerationThrowsOperationCanceledAfterItemsSent()
    {
        // Arrange
        var received = new List<Line>();
        var clock = Stopwatch.StartNew();

        // Act
        var e = Assert.ThrowsAsync<OperationCanceledException>(async () => await AddAllAsync(Streaming().GiveUpAfter(4), received).Bounded());

        // Assert
        Assert.That(clock.Elapsed, Is.LessThan(Prompt));
        Assert.That(received.Select(l => l.Number), Is.EqualTo(Enumerable.Range(0, 4)));
        AssertCancelledByServer(e!);
        // The call is over and the connection still serves.
        Assert.That(await ToListAsync(Streaming().Count(3)).Bounded(), Has.Count.EqualTo(3));
    }

    [Test]
    public async Task ClientStream_HandlerCancelsItself_CallThrowsOperationCanceledAndStopsSending()
    {
        // Arrange: the caller would send three chunks, then wait for ever: only the call's end stops it.
        var itemsStopped = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var clock = Stopwatch.StartNew();

        // Act
        var e = Assert.ThrowsAsync<OperationCanceledException>(async () => await Streaming().Upload("cancel", ThenWait(Chunks(3), itemsStopped)).Bounded());

        // Assert
        Assert.That(clock.Elapsed, Is.LessThan(Prompt));
        AssertCancelledByServer(e!);
        Assert.That(await _handler.Ended.Task.Bounded(), Is.EqualTo("Upload: stopped"), "the handler saw all three chunks and gave up, its call token untouched");
        await itemsStopped.Task.Bounded();
    }

    [Test]
    public async Task Duplex_HandlerCancelsItself_EnumerationThrowsOperationCanceledAfterItemsSent()
    {
        // Arrange
        var received = new List<Line>();
        var itemsStopped = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var clock = Stopwatch.StartNew();

        // Act
        var e = Assert.ThrowsAsync<OperationCanceledException>(async () =>
            await AddAllAsync(Streaming().Echo("> ", ThenWait(Lines("a", "b", "cancel"), itemsStopped)), received).Bounded());

        // Assert
        Assert.That(clock.Elapsed, Is.LessThan(Prompt));
        Assert.That(received.Select(l => l.Text), Is.EqualTo(new[] { "> a", "> b" }));
        AssertCancelledByServer(e!);
        Assert.That(await _handler.Ended.Task.Bounded(), Is.EqualTo("Echo: stopped"));
        await itemsStopped.Task.Bounded();
    }

    [Test]
    public async Task Concurrency_64ServerStreams64DuplexAnd300UnaryCalls_OneConnection_EveryItemArrives()
    {
        // Arrange: one server with a streaming and a unary contract, and a caller whose dials are counted.
        await using var pair = await ServicePair.StartAsync(transport, "e2e-mixed", s => s.Handle<IStreaming>(new StreamingHandler()).Handle<IShapes>(new ShapesHandler()));
        var dialling = new DialCountingTransport(Transports.Create(transport));
        await using var caller = Micro.CreateService(o =>
        {
            o.Name = "mixed-caller";
            o.Registry = pair.Registry;
            o.Transport = dialling;
        });
        var streaming = caller.Client.For<IStreaming>();
        var shapes = caller.Client.For<IShapes>();
        var go = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        async Task ServerStreamAsync(int k)
        {
            await go.Task;
            var lines = await ToListAsync(streaming.Tail($"s{k}", k, 200));
            Assert.That(lines, Is.EqualTo(Enumerable.Range(k, 200).Select(i => new Line(i, $"s{k}:{i}"))), $"server stream {k}");
        }

        async Task DuplexAsync(int k)
        {
            await go.Task;
            var texts = Enumerable.Range(0, 100).Select(i => $"{k}.{i}").ToArray();
            var echoed = await ToListAsync(streaming.Echo($"d{k}>", Lines(texts)));
            Assert.That(echoed, Is.EqualTo(texts.Select((t, i) => new Line(i, $"d{k}>{t}"))), $"duplex {k}");
        }

        async Task UnaryAsync(int k)
        {
            await go.Task;
            Assert.That(await shapes.Add(k, 1000), Is.EqualTo(k + 1000), $"unary {k}");
            Assert.That(await shapes.Echo($"u{k}"), Is.EqualTo($"u{k}"), $"unary echo {k}");
        }

        var calls = Enumerable.Range(0, 64).Select(ServerStreamAsync)
            .Concat(Enumerable.Range(0, 64).Select(DuplexAsync))
            .Concat(Enumerable.Range(0, 300).Select(UnaryAsync))
            .ToArray();
        var clock = Stopwatch.StartNew();

        // Act: all of them at once.
        go.SetResult();
        await Task.WhenAll(calls).WaitAsync(TimeSpan.FromSeconds(30));

        // Assert
        Assert.That(calls.Select(c => c.Status), Is.All.EqualTo(TaskStatus.RanToCompletion));
        Assert.That(dialling.Dials, Is.EqualTo(1), "both contracts live at one address: every call and stream shares one connection");
        TestContext.Out.WriteLine($"{transport}: 64 server streams x 200, 64 duplex x 100, 600 unary calls in {clock.ElapsedMilliseconds} ms");
        await dialling.DisposeAsync();
    }

    [Test]
    public async Task Metadata_ServerStream_ArrivesInHandlerAndBack()
    {
        using var scope = MicroContext.Begin();
        scope.Context.Metadata["tenant"] = "acme";

        var seen = await ToListAsync(Streaming().Headers("tenant")).Bounded();

        Assert.That(seen, Is.EqualTo(new[] { "acme", "acme", "acme" }));
        Assert.That(scope.Context.ResponseMetadata.Get("echo-tenant"), Is.EqualTo("acme"));
    }

    [Test]
    public async Task Metadata_PerCallOptions_ArriveInStreamingHandler()
    {
        var streaming = _caller.Client.For<IStreaming>(new CallOptions { Metadata = new Metadata().Set("trace", "t-1") });

        Assert.That(await ToListAsync(streaming.Headers("trace")).Bounded(), Is.EqualTo(new[] { "t-1", "t-1", "t-1" }));
        Assert.That(await ToListAsync(streaming.Headers("absent")).Bounded(), Is.EqualTo(new[] { "<missing>", "<missing>", "<missing>" }));
    }

    [Test]
    public async Task Registry_StreamingEndpoints_Advertised()
    {
        var services = await _registry.GetServiceAsync("streaming").Bounded();

        Assert.That(services, Has.Count.EqualTo(1));
        Assert.That(services[0].Endpoints.Select(e => e.Name), Is.SupersetOf(new[] { "Streaming.Count", "Streaming.Upload", "Streaming.Echo", "Streaming.Running" }));
    }

    /// <summary>How soon a cancelled stream must end for the caller: far below the hang timeout, well above a loaded machine's scheduling noise.</summary>
    private static readonly TimeSpan Prompt = TimeSpan.FromSeconds(5);

    /// <summary>A stream the handler cancelled ends as a cancellation whose inner exception is the server's 499.</summary>
    private static void AssertCancelledByServer(OperationCanceledException e)
    {
        Assert.That(e.InnerException, Is.InstanceOf<MicroException>());
        var server = (MicroException)e.InnerException!;
        Assert.That(server.Code, Is.EqualTo(MicroStatusCode.Cancelled));
        Assert.That(server.Detail, Is.EqualTo("the handler cancelled the call"));
    }

    private static async Task<List<T>> ToListAsync<T>(IAsyncEnumerable<T> source)
    {
        var list = new List<T>();
        await AddAllAsync(source, list);
        return list;
    }

    private static async Task AddAllAsync<T>(IAsyncEnumerable<T> source, List<T> list)
    {
        await foreach (var item in source)
        {
            list.Add(item);
        }
    }

    private static async Task ConsumeAsync<T>(IAsyncEnumerable<T> source, Action<T> onItem)
    {
        await foreach (var item in source)
        {
            onItem(item);
        }
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

    private static async IAsyncEnumerable<Chunk> Chunks(int count)
    {
        for (var i = 0; i < count; i++)
        {
            await Task.Yield();
            yield return new Chunk(i, Enumerable.Repeat((byte)i, i % 64).ToArray());
        }
    }

    private static async IAsyncEnumerable<string> Words(int count)
    {
        for (var i = 0; i < count; i++)
        {
            await Task.Yield();
            yield return $"w{i} 🌍";
        }
    }

    private static async IAsyncEnumerable<Line> Lines(params string[] texts)
    {
        for (var i = 0; i < texts.Length; i++)
        {
            await Task.Yield();
            yield return new Line(i, texts[i]);
        }
    }

    private static async IAsyncEnumerable<Tick> Ticks(int count, string label)
    {
        for (var i = 0; i < count; i++)
        {
            await Task.Yield();
            yield return new Tick { Sequence = i, Label = label };
        }
    }

    /// <summary>
    /// The items of <paramref name="first"/>, then nothing until the call is cancelled; completes
    /// <paramref name="stopped"/> once the sequence is abandoned.
    /// </summary>
    private static async IAsyncEnumerable<T> ThenWait<T>(IAsyncEnumerable<T> first, TaskCompletionSource? stopped = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        try
        {
            await foreach (var item in first.WithCancellation(cancellationToken))
            {
                yield return item;
            }
            await Task.Delay(Timeout.Infinite, cancellationToken);
        }
        finally
        {
            stopped?.TrySetResult();
        }
    }
}
