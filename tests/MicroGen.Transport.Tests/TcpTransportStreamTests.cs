using System;
using System.Buffers;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using MicroGen.Transport.Tests.Infrastructure;
using NUnit.Framework;

namespace MicroGen.Transport.Tests;

/// <summary>Streaming calls over the TCP transport (docs/PROTOCOL.md §8).</summary>
public sealed class TcpTransportStreamTests : TransportTestBase
{
    /// <summary>What one 1 KiB message costs of a window: the frame header and the payload (§8.3).</summary>
    private const int KiBMessageCost = 10 + 1024;

    private async Task<(ITransportListener Listener, ITransportConnection Connection)> StartAsync(StreamHandler handler, Action<TcpTransportOptions>? listenerOptions = null, Action<TcpTransportOptions>? dialOptions = null)
    {
        var listener = await ListenAsync(handler, configure: listenerOptions);
        var connection = await DialAsync(listener.Address, dialOptions);
        return (listener, connection);
    }

    [Test]
    public async Task ServerStream_ItemsArriveInOrder_ThenTrailersMetadata()
    {
        // Arrange
        var handler = new StreamHandler(async (request, stream, ct) =>
        {
            var count = int.Parse(request.Text());
            for (var i = 0; i < count; i++)
            {
                await stream.WriteAsync($"item-{i}", ct);
            }
            await stream.CompleteAsync(null, new Metadata().Set("Total", count.ToString()), ct);
        });
        var (_, connection) = await StartAsync(handler);

        // Act
        await using var stream = await connection.OpenStreamAsync(Streams.Request("500")).DefaultTimeout();
        await stream.CompleteAsync().DefaultTimeout();
        var items = await stream.ReadAllAsync().DefaultTimeout();

        // Assert
        Assert.That(items, Is.EqualTo(Enumerable.Range(0, 500).Select(i => $"item-{i}")));
        Assert.That(stream.ResponseMetadata!.Get("total"), Is.EqualTo("500"));
        Assert.That(stream.ContentType, Is.EqualTo("text/plain"));
        Assert.That(await stream.MoveNextAsync().DefaultTimeout(), Is.False, "an ended stream stays ended");
    }

    [Test]
    public async Task ClientStream_ServerReadsEverything_ThenRepliesOnce()
    {
        // Arrange
        var seen = new List<string>();
        var handler = new StreamHandler(async (request, stream, ct) =>
        {
            await stream.ReadIntoAsync(seen, ct);
            await stream.WriteAsync($"{request.Text()}:{seen.Count}", ct);
            await stream.CompleteAsync(null, null, ct);
        });
        var (_, connection) = await StartAsync(handler);

        // Act
        await using var stream = await connection.OpenStreamAsync(Streams.Request("count")).DefaultTimeout();
        for (var i = 0; i < 1000; i++)
        {
            await stream.WriteAsync($"w{i}").DefaultTimeout();
        }
        await stream.CompleteAsync().DefaultTimeout();
        var replies = await stream.ReadAllAsync().DefaultTimeout();

        // Assert
        Assert.That(replies, Is.EqualTo(new[] { "count:1000" }));
        Assert.That(seen, Is.EqualTo(Enumerable.Range(0, 1000).Select(i => $"w{i}")));
    }

    [Test]
    public async Task Duplex_PingPong_EachReplyArrivesBeforeTheNextWrite()
    {
        // Arrange
        var handler = new StreamHandler(async (request, stream, ct) =>
        {
            while (await stream.MoveNextAsync(ct))
            {
                await stream.WriteAsync($"{request.Text()}:{stream.CurrentText()}", ct);
            }
            await stream.CompleteAsync(null, null, ct);
        });
        var (_, connection) = await StartAsync(handler);

        // Act
        await using var stream = await connection.OpenStreamAsync(Streams.Request("pre")).DefaultTimeout();
        var replies = new List<string>();
        for (var i = 0; i < 200; i++)
        {
            await stream.WriteAsync($"w{i}").DefaultTimeout();
            Assert.That(await stream.MoveNextAsync().DefaultTimeout(), Is.True);
            replies.Add(stream.CurrentText());
        }
        await stream.CompleteAsync().DefaultTimeout();
        var rest = await stream.ReadAllAsync().DefaultTimeout();

        // Assert
        Assert.That(replies, Is.EqualTo(Enumerable.Range(0, 200).Select(i => $"pre:w{i}")));
        Assert.That(rest, Is.Empty);
    }

    [Test]
    public async Task EmptyStreams_BothDirections_CompleteWithoutMessages()
    {
        // Arrange
        var serverSaw = -1;
        var handler = new StreamHandler(async (request, stream, ct) =>
        {
            serverSaw = (await stream.ReadAllAsync(ct)).Count;
            await stream.CompleteAsync(null, null, ct);
        });
        var (_, connection) = await StartAsync(handler);

        // Act
        await using var stream = await connection.OpenStreamAsync(Streams.Request()).DefaultTimeout();
        await stream.CompleteAsync().DefaultTimeout();
        var items = await stream.ReadAllAsync().DefaultTimeout();

        // Assert
        Assert.That(items, Is.Empty);
        Assert.That(serverSaw, Is.Zero);
        Assert.That(stream.ResponseMetadata, Is.Null);
    }

    [Test]
    public async Task EmptyMessages_AreDeliveredAsMessages()
    {
        // Arrange
        var handler = new StreamHandler(async (request, stream, ct) =>
        {
            for (var i = 0; i < 3; i++)
            {
                await stream.WriteAsync(ReadOnlyMemory<byte>.Empty, ct);
            }
            await stream.CompleteAsync(null, null, ct);
        });
        var (_, connection) = await StartAsync(handler);

        // Act
        await using var stream = await connection.OpenStreamAsync(Streams.Request()).DefaultTimeout();
        var items = await stream.ReadAllAsync().DefaultTimeout();

        // Assert
        Assert.That(items, Is.EqualTo(new[] { "", "", "" }));
    }

    [Test]
    public async Task ErrorAfterItems_ArrivesAsMicroExceptionAfterTheItemsSent()
    {
        // Arrange
        var error = new MicroError("streams", 422, "stopped on purpose", "Unprocessable Entity");
        var handler = new StreamHandler(async (request, stream, ct) =>
        {
            for (var i = 0; i < 5; i++)
            {
                await stream.WriteAsync($"item-{i}", ct);
            }
            await stream.CompleteAsync(error, new Metadata().Set("Reason", "test"), ct);
        });
        var (_, connection) = await StartAsync(handler);

        // Act
        await using var stream = await connection.OpenStreamAsync(Streams.Request()).DefaultTimeout();
        var items = new List<string>();
        var e = Assert.ThrowsAsync<MicroException>(() => stream.ReadIntoAsync(items).DefaultTimeout());

        // Assert
        Assert.That(items, Is.EqualTo(Enumerable.Range(0, 5).Select(i => $"item-{i}")));
        Assert.That(e!.Error, Is.EqualTo(error));
        Assert.That(stream.ResponseMetadata!.Get("Reason"), Is.EqualTo("test"));
    }

    [Test]
    public async Task HandlerThrows_CallerGets500AfterItems_WithoutExceptionText()
    {
        // Arrange
        var handler = new StreamHandler(async (request, stream, ct) =>
        {
            await stream.WriteAsync("one", ct);
            throw new InvalidOperationException("secret internals");
        });
        var (_, connection) = await StartAsync(handler);

        // Act
        await using var stream = await connection.OpenStreamAsync(Streams.Request()).DefaultTimeout();
        var items = new List<string>();
        var e = Assert.ThrowsAsync<MicroException>(() => stream.ReadIntoAsync(items).DefaultTimeout());

        // Assert
        Assert.That(items, Is.EqualTo(new[] { "one" }));
        Assert.That(e!.Code, Is.EqualTo(500));
        Assert.That(e.Error.Detail, Does.Not.Contain("secret"));
        await Logs.WaitForAsync("HandlerFailed");
    }

    [Test]
    public async Task HandlerWithoutStreaming_CallerGets501()
    {
        // Arrange: EchoHandler keeps the interface's default HandleStreamAsync.
        var listener = await ListenAsync(new EchoHandler());
        var connection = await DialAsync(listener.Address);

        // Act
        await using var stream = await connection.OpenStreamAsync(Streams.Request()).DefaultTimeout();
        var e = Assert.ThrowsAsync<MicroException>(() => stream.ReadAllAsync().DefaultTimeout());

        // Assert
        Assert.That(e!.Code, Is.EqualTo(MicroStatusCode.NotImplemented));
    }

    [Test]
    public async Task CancelFromClient_CallerReadEndsWithCancellation_HandlerTokenFires()
    {
        // Arrange
        var handler = new StreamHandler(async (request, stream, ct) =>
        {
            for (var i = 0; ; i++)
            {
                await stream.WriteAsync($"item-{i}", ct);
            }
        });
        var (_, connection) = await StartAsync(handler);
        using var cts = new CancellationTokenSource();

        // Act
        await using var stream = await connection.OpenStreamAsync(Streams.Request(), cts.Token).DefaultTimeout();
        for (var i = 0; i < 10; i++)
        {
            Assert.That(await stream.MoveNextAsync().DefaultTimeout(), Is.True);
        }
        cts.Cancel();

        // Assert
        Assert.CatchAsync<OperationCanceledException>(() => stream.ReadAllAsync().DefaultTimeout());
        Assert.CatchAsync<OperationCanceledException>(() => stream.WriteAsync("late").DefaultTimeout());
        await handler.Cancelled.DefaultTimeout();
        await handler.Finished.DefaultTimeout();
        Assert.That(connection.IsAvailable, Is.True, "a cancel ends the stream, not the connection");
    }

    [Test]
    public async Task CallerDisposesEarly_HandlerIsCancelled()
    {
        // Arrange
        var handler = new StreamHandler(async (request, stream, ct) =>
        {
            while (await stream.MoveNextAsync(ct))
            {
                await stream.WriteAsync(stream.Current.ToArray(), ct);
            }
        });
        var (_, connection) = await StartAsync(handler);

        // Act
        var stream = await connection.OpenStreamAsync(Streams.Request()).DefaultTimeout();
        await stream.WriteAsync("a").DefaultTimeout();
        Assert.That(await stream.MoveNextAsync().DefaultTimeout(), Is.True);
        await stream.DisposeAsync().DefaultTimeout();

        // Assert
        await handler.Cancelled.DefaultTimeout();
        await handler.Finished.DefaultTimeout();
    }

    [Test]
    public async Task CancelFromServer_HandlerThrowsOperationCanceled_CallerGets499AndItsWriterStops()
    {
        // Arrange
        var handler = new StreamHandler(async (request, stream, ct) =>
        {
            for (var i = 0; i < 3; i++)
            {
                await stream.MoveNextAsync(ct);
            }
            await stream.WriteAsync("last", ct);
            throw new OperationCanceledException("the handler gives up");
        });
        var (_, connection) = await StartAsync(handler);
        await using var stream = await connection.OpenStreamAsync(Streams.Request()).DefaultTimeout();

        // Act: the caller writes until the stream refuses more; the writer must not hang on its window.
        var writer = Task.Run(async () =>
        {
            var payload = new byte[1024];
            while (true)
            {
                await stream.WriteAsync(payload);
            }
        });
        var items = new List<string>();
        var e = Assert.ThrowsAsync<MicroException>(() => stream.ReadIntoAsync(items).DefaultTimeout());

        // Assert
        Assert.That(items, Is.EqualTo(new[] { "last" }));
        Assert.That(e!.Code, Is.EqualTo(MicroStatusCode.Cancelled));
        Assert.ThrowsAsync<TransportException>(() => writer.DefaultTimeout());
    }

    [Test]
    public async Task ServerCompletesEarly_CallerReadsTheReplyAndItsWritesFail()
    {
        // Arrange
        var handler = new StreamHandler(async (request, stream, ct) =>
        {
            await stream.MoveNextAsync(ct);
            await stream.WriteAsync("enough", ct);
            await stream.CompleteAsync(null, null, ct);
        });
        var (_, connection) = await StartAsync(handler);
        await using var stream = await connection.OpenStreamAsync(Streams.Request()).DefaultTimeout();

        // Act
        var writer = Task.Run(async () =>
        {
            var payload = new byte[1024];
            while (true)
            {
                await stream.WriteAsync(payload);
            }
        });
        var items = await stream.ReadAllAsync().DefaultTimeout();

        // Assert
        Assert.That(items, Is.EqualTo(new[] { "enough" }));
        Assert.ThrowsAsync<TransportException>(() => writer.DefaultTimeout());
        await stream.CompleteAsync().DefaultTimeout(); // nothing left to tell: does nothing
        using var unary = await connection.InvokeAsync(Calls.Request("still up")).DefaultTimeout();
        Assert.That(unary.Text(), Is.EqualTo("still up"));
    }

    [Test]
    public async Task ConnectionKilledMidStream_ReadsAndWritesFailWithTransportException_HandlerCancelled()
    {
        // Arrange
        var handler = new StreamHandler(async (request, stream, ct) =>
        {
            await stream.WriteAsync("first", ct);
            await stream.ReadAllAsync(ct);
        });
        var (listener, connection) = await StartAsync(handler);
        await using var stream = await connection.OpenStreamAsync(Streams.Request()).DefaultTimeout();
        Assert.That(await stream.MoveNextAsync().DefaultTimeout(), Is.True);

        // Act
        var read = stream.MoveNextAsync().AsTask();
        await listener.DisposeAsync().DefaultTimeout();

        // Assert
        var e = Assert.ThrowsAsync<TransportException>(() => read.DefaultTimeout());
        Assert.That(e!.NotProcessed, Is.False, "the handler ran");
        Assert.ThrowsAsync<TransportException>(() => stream.WriteAsync("late").DefaultTimeout());
        await handler.Cancelled.DefaultTimeout();
        await handler.Finished.DefaultTimeout();
        Assert.That(connection.IsAvailable, Is.False);
    }

    [Test]
    public async Task ConnectionReset_EightOpenStreamsOfEveryShape_AllFailPromptlyWithTransportException_ThenANewConnectionWorks()
    {
        // Arrange: the connection runs through a relay that can reset it, as a crash or a dead network would.
        const int streams = 8;
        var handlersEnded = 0;
        var allHandlersEnded = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var handler = new StreamHandler(async (request, stream, ct) =>
        {
            try
            {
                await HandleAsync(request, stream, ct);
            }
            catch (Exception e) when (e is OperationCanceledException or TransportException)
            {
                // The listener's side of the reset: its token fired or its read or write failed.
                if (Interlocked.Increment(ref handlersEnded) == streams)
                {
                    allHandlersEnded.TrySetResult();
                }
                throw;
            }
        });

        static async Task HandleAsync(TransportRequest request, ITransportStream stream, CancellationToken ct)
        {
            switch (request.Text())
            {
                case "hold": // writes once, then neither reads nor writes
                    await stream.WriteAsync("ready", ct);
                    await Task.Delay(Timeout.Infinite, ct);
                    break;
                case "flood": // fills its window and never reads
                    var blob = new byte[16 * 1024];
                    while (true)
                    {
                        await stream.WriteAsync(blob, ct);
                    }
                case "sink": // client streaming: reads everything, then answers once
                    var count = (await stream.ReadAllAsync(ct)).Count;
                    await stream.WriteAsync($"sink:{count}", ct);
                    await stream.CompleteAsync(null, null, ct);
                    break;
                default: // duplex echo
                    while (await stream.MoveNextAsync(ct))
                    {
                        await stream.WriteAsync($"echo:{stream.CurrentText()}", ct);
                    }
                    await stream.CompleteAsync(null, null, ct);
                    break;
            }
        }
        var listener = await ListenAsync(handler);
        await using var relay = TcpRelay.Start(listener.Address);
        var transport = CreateTransport();
        var connection = Track(await transport.DialAsync(relay.Address).DefaultTimeout());
        var payload = new byte[1024];
        var fit = (int)Math.Ceiling((double)TcpProtocolWindow / KiBMessageCost);
        var pending = new List<(string Shape, Task Operation)>();

        // 1. Server stream, caller waiting for the next item.
        var serverWaiting = await connection.OpenStreamAsync(Streams.Request("hold")).DefaultTimeout();
        await serverWaiting.CompleteAsync().DefaultTimeout();
        Assert.That(await serverWaiting.MoveNextAsync().DefaultTimeout(), Is.True);
        pending.Add(("server stream, read pending", serverWaiting.MoveNextAsync().AsTask()));
        // 2. Server stream flooding a caller that stopped reading: data is buffered, nothing pending.
        var serverFlooding = await connection.OpenStreamAsync(Streams.Request("flood")).DefaultTimeout();
        Assert.That(await serverFlooding.MoveNextAsync().DefaultTimeout(), Is.True);
        // 3. Client stream whose writer waits for window from a handler that does not read.
        var clientBlocked = await connection.OpenStreamAsync(Streams.Request("hold")).DefaultTimeout();
        Assert.That(await clientBlocked.MoveNextAsync().DefaultTimeout(), Is.True);
        for (var i = 0; i < fit; i++)
        {
            await clientBlocked.WriteAsync(payload).DefaultTimeout();
        }
        pending.Add(("client stream, write waiting for window", clientBlocked.WriteAsync(payload).AsTask()));
        // 4. Client stream mid-upload, caller waiting for the reply.
        var clientUploading = await connection.OpenStreamAsync(Streams.Request("sink")).DefaultTimeout();
        for (var i = 0; i < 10; i++)
        {
            await clientUploading.WriteAsync($"chunk {i}").DefaultTimeout();
        }
        pending.Add(("client stream, reply pending", clientUploading.MoveNextAsync().AsTask()));
        // 5. Duplex after one round trip, read pending.
        var duplexTalking = await connection.OpenStreamAsync(Streams.Request("echo")).DefaultTimeout();
        await duplexTalking.WriteAsync("ping").DefaultTimeout();
        Assert.That(await duplexTalking.MoveNextAsync().DefaultTimeout(), Is.True);
        Assert.That(duplexTalking.CurrentText(), Is.EqualTo("echo:ping"));
        pending.Add(("duplex, read pending", duplexTalking.MoveNextAsync().AsTask()));
        // 6. Duplex blocked both ways: the handler floods and reads nothing, the caller writes and reads nothing.
        var duplexBlocked = await connection.OpenStreamAsync(Streams.Request("flood")).DefaultTimeout();
        for (var i = 0; i < fit; i++)
        {
            await duplexBlocked.WriteAsync(payload).DefaultTimeout();
        }
        pending.Add(("duplex, write waiting for window", duplexBlocked.WriteAsync(payload).AsTask()));
        // 7. Caller half-closed, waiting for the listener's end.
        var halfClosed = await connection.OpenStreamAsync(Streams.Request("hold")).DefaultTimeout();
        Assert.That(await halfClosed.MoveNextAsync().DefaultTimeout(), Is.True);
        await halfClosed.CompleteAsync().DefaultTimeout();
        pending.Add(("half-closed, end pending", halfClosed.MoveNextAsync().AsTask()));
        // 8. Opened and accepted, nothing exchanged yet.
        var idle = await connection.OpenStreamAsync(Streams.Request("echo")).DefaultTimeout();
        Assert.That(pending.Select(p => p.Operation.IsCompleted), Is.All.False, "every pending operation really waits before the reset");

        // Act
        var clock = System.Diagnostics.Stopwatch.StartNew();
        relay.KillAll();

        // Assert: every pending read and write fails, promptly, with a TransportException that says why.
        foreach (var (shape, operation) in pending)
        {
            var e = Assert.ThrowsAsync<TransportException>(() => operation.DefaultTimeout(), shape);
            Assert.That(e!.Message, Does.Contain("closed"), shape);
            Assert.That(e.NotProcessed, Is.False, $"{shape}: the handler ran");
        }
        Assert.That(clock.Elapsed, Is.LessThan(TimeSpan.FromSeconds(5)), "a reset connection fails its streams at once, not after a keep-alive timeout");
        // The streams with nothing pending fail on their next use, buffered data or not.
        Assert.ThrowsAsync<TransportException>(() => serverFlooding.MoveNextAsync().AsTask().DefaultTimeout(), "flooded server stream, next read");
        Assert.ThrowsAsync<TransportException>(() => idle.WriteAsync("late").DefaultTimeout(), "idle stream, next write");
        Assert.ThrowsAsync<TransportException>(() => idle.MoveNextAsync().AsTask().DefaultTimeout(), "idle stream, next read");
        Assert.That(connection.IsAvailable, Is.False);
        await allHandlersEnded.Task.DefaultTimeout(); // the listener saw the reset too: all eight handlers ended
        foreach (var stream in new[] { serverWaiting, serverFlooding, clientBlocked, clientUploading, duplexTalking, duplexBlocked, halfClosed, idle })
        {
            await stream.DisposeAsync();
        }

        // A new connection, dialled the same way, carries streams again.
        var again = Track(await transport.DialAsync(relay.Address).DefaultTimeout());
        await using var upload = await again.OpenStreamAsync(Streams.Request("sink")).DefaultTimeout();
        for (var i = 0; i < 3; i++)
        {
            await upload.WriteAsync($"chunk {i}").DefaultTimeout();
        }
        await upload.CompleteAsync().DefaultTimeout();
        Assert.That(await upload.ReadAllAsync().DefaultTimeout(), Is.EqualTo(new[] { "sink:3" }));
        await using var echo = await again.OpenStreamAsync(Streams.Request("echo")).DefaultTimeout();
        await echo.WriteAsync("again").DefaultTimeout();
        await echo.CompleteAsync().DefaultTimeout();
        Assert.That(await echo.ReadAllAsync().DefaultTimeout(), Is.EqualTo(new[] { "echo:again" }));
        Assert.That(relay.Accepted, Is.EqualTo(2));
    }

    [Test]
    public async Task CallerConnectionDisposed_HandlerReadFailsAndTokenFires()
    {
        // Arrange
        var readFailure = new TaskCompletionSource<Exception>(TaskCreationOptions.RunContinuationsAsynchronously);
        var handler = new StreamHandler(async (request, stream, ct) =>
        {
            try
            {
                await stream.ReadAllAsync(CancellationToken.None);
                readFailure.TrySetResult(new InvalidOperationException("the read ended normally"));
            }
            catch (Exception e)
            {
                readFailure.TrySetResult(e);
            }
        });
        var listener = await ListenAsync(handler);
        var transport = CreateTransport();
        var connection = await transport.DialAsync(listener.Address).DefaultTimeout();
        var stream = await connection.OpenStreamAsync(Streams.Request()).DefaultTimeout();
        await stream.WriteAsync("one").DefaultTimeout();

        // Act
        await connection.DisposeAsync().DefaultTimeout();

        // Assert
        Assert.That(await readFailure.Task.DefaultTimeout(), Is.InstanceOf<TransportException>());
        await handler.Cancelled.DefaultTimeout();
        Assert.ThrowsAsync<TransportException>(() => stream.MoveNextAsync().AsTask().DefaultTimeout());
        await stream.DisposeAsync();
    }

    [Test]
    public async Task Window_WriterToNonReadingPeer_BlocksAfterOneWindow_AndResumesWhenItReads()
    {
        // Arrange
        var startReading = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var received = 0;
        var handler = new StreamHandler(async (request, stream, ct) =>
        {
            await startReading.Task.WaitAsync(ct);
            while (await stream.MoveNextAsync(ct))
            {
                received++;
            }
            await stream.CompleteAsync(null, null, ct);
        });
        var (_, connection) = await StartAsync(handler);
        await using var stream = await connection.OpenStreamAsync(Streams.Request()).DefaultTimeout();
        var payload = new byte[1024];
        // A sender may send while its window is above 0 (§8.3): 1 MiB / 1,034 bytes, rounded up.
        var fit = (int)Math.Ceiling((double)TcpProtocolWindow / KiBMessageCost);

        // Act
        for (var i = 0; i < fit; i++)
        {
            await stream.WriteAsync(payload).DefaultTimeout();
        }
        var blocked = stream.WriteAsync(payload).AsTask();
        var finishedEarly = await Task.WhenAny(blocked, Task.Delay(TimeSpan.FromMilliseconds(500))) == blocked;
        startReading.SetResult();
        await blocked.DefaultTimeout();
        for (var i = 0; i < 2 * fit; i++)
        {
            await stream.WriteAsync(payload).DefaultTimeout();
        }
        await stream.CompleteAsync().DefaultTimeout();
        await stream.ReadAllAsync().DefaultTimeout();

        // Assert
        Assert.That(finishedEarly, Is.False, $"the write after {fit} messages (one window) must wait for the reader");
        Assert.That(received, Is.EqualTo(3 * fit + 1));
    }

    [Test]
    public async Task SixtyFourStreamsAndUnaryCalls_OneConnection_AllComplete_DespiteAStalledReader()
    {
        // Arrange
        var handler = new StreamHandler(async (request, stream, ct) =>
        {
            if (request.Text() == "flood")
            {
                // Fills its window towards a caller that never reads.
                var blob = new byte[16 * 1024];
                while (true)
                {
                    await stream.WriteAsync(blob, ct);
                }
            }
            while (await stream.MoveNextAsync(ct))
            {
                await stream.WriteAsync($"{request.Text()}:{stream.CurrentText()}", ct);
            }
            await stream.CompleteAsync(null, null, ct);
        });
        var (_, connection) = await StartAsync(handler);
        await using var stalled = await connection.OpenStreamAsync(Streams.Request("flood")).DefaultTimeout();

        // Act
        var streams = Enumerable.Range(0, 64).Select(s => Task.Run(async () =>
        {
            await using var stream = await connection.OpenStreamAsync(Streams.Request($"s{s}"));
            var reader = stream.ReadAllAsync();
            for (var i = 0; i < 100; i++)
            {
                await stream.WriteAsync($"{i}");
            }
            await stream.CompleteAsync();
            return await reader;
        })).ToArray();
        var unary = Enumerable.Range(0, 200).Select(i => Task.Run(async () =>
        {
            using var response = await connection.InvokeAsync(Calls.Request($"u{i}"));
            return response.Text();
        })).ToArray();
        var replies = await Task.WhenAll(streams).DefaultTimeout();
        var answers = await Task.WhenAll(unary).DefaultTimeout();

        // Assert
        for (var s = 0; s < 64; s++)
        {
            Assert.That(replies[s], Is.EqualTo(Enumerable.Range(0, 100).Select(i => $"s{s}:{i}")));
        }
        Assert.That(answers, Is.EqualTo(Enumerable.Range(0, 200).Select(i => $"u{i}")));
        Assert.That(Logs.Entries.Count(e => e.EventId.Name == "ConnectionAccepted"), Is.EqualTo(1), "everything shared one connection");
    }

    [Test]
    public async Task SlowConsumer_HundredThousandMessages_HeapGrowthStaysFarBelowBytesSent()
    {
        // Arrange: 100,000 messages of 1 KiB (~100 MB) towards a reader slower than the writer all the way.
        const int count = 100_000;
        var written = 0;
        var handler = new StreamHandler(async (request, stream, ct) =>
        {
            var blob = new byte[1024];
            for (var i = 0; i < count; i++)
            {
                blob[0] = (byte)i;
                await stream.WriteAsync(blob, ct);
                Volatile.Write(ref written, i + 1);
            }
            await stream.CompleteAsync(null, null, ct);
        });
        var (_, connection) = await StartAsync(handler, o => o.LoggerFactory = null, o => o.LoggerFactory = null);
        GC.Collect();
        GC.WaitForPendingFinalizers();
        var before = GC.GetTotalMemory(forceFullCollection: true);
        long peak = 0;
        var received = 0;
        var corrupt = 0;
        var maxAhead = 0;
        // A writer may run ahead of its reader by one window of messages, plus the frame that overdraws it (§8.3).
        var window = (int)Math.Ceiling((double)TcpProtocolWindow / KiBMessageCost) + 1;
        var clock = System.Diagnostics.Stopwatch.StartNew();

        // Act
        await using var stream = await connection.OpenStreamAsync(Streams.Request()).DefaultTimeout();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        while (await stream.MoveNextAsync(timeout.Token))
        {
            if (stream.Current.Length != 1024 || stream.Current.FirstSpan[0] != (byte)received)
            {
                corrupt++;
            }
            received++;
            if (received % 200 == 0)
            {
                // Slow throughout, not in bursts: a short pause every 200 messages (500 pauses, a few
                // seconds in all), so the writer is always waiting for this reader's window.
                await Task.Delay(1, timeout.Token);
                maxAhead = Math.Max(maxAhead, Volatile.Read(ref written) - received);
            }
            if (received % 10_000 == 0)
            {
                peak = Math.Max(peak, GC.GetTotalMemory(forceFullCollection: true) - before);
            }
        }

        // Assert
        Assert.That(received, Is.EqualTo(count));
        Assert.That(corrupt, Is.Zero);
        Assert.That(maxAhead, Is.GreaterThan(window / 2), "the writer did fill the window: the reader really was the slower side");
        Assert.That(maxAhead, Is.LessThanOrEqualTo(window), $"the writer ran {maxAhead} messages ahead of its reader; flow control allows {window}");
        Assert.That(peak, Is.LessThan(16L * 1024 * 1024), $"managed heap grew by {peak:N0} bytes while {count * 1024L:N0} bytes were streamed");
        TestContext.Out.WriteLine($"slow consumer: {clock.ElapsedMilliseconds} ms, writer at most {maxAhead} messages ahead, heap peak +{peak:N0} bytes");
    }

    [Test]
    public async Task MessageOverPeersFrameLimit_Fails413_StreamAndConnectionStayUp()
    {
        // Arrange
        var handler = new StreamHandler(async (request, stream, ct) =>
        {
            var items = await stream.ReadAllAsync(ct);
            await stream.WriteAsync(string.Join(",", items), ct);
            await stream.CompleteAsync(null, null, ct);
        });
        var (_, connection) = await StartAsync(handler, o => o.MaxFrameSize = 64 * 1024);
        await using var stream = await connection.OpenStreamAsync(Streams.Request()).DefaultTimeout();

        // Act
        await stream.WriteAsync("before").DefaultTimeout();
        var e = Assert.ThrowsAsync<MicroException>(() => stream.WriteAsync(new byte[64 * 1024 + 1]).DefaultTimeout());
        await stream.WriteAsync("after").DefaultTimeout();
        await stream.CompleteAsync().DefaultTimeout();
        var replies = await stream.ReadAllAsync().DefaultTimeout();

        // Assert
        Assert.That(e!.Code, Is.EqualTo(MicroStatusCode.PayloadTooLarge));
        Assert.That(replies, Is.EqualTo(new[] { "before,after" }));
        Assert.That(connection.IsAvailable, Is.True);
    }

    [Test]
    public async Task LargeMessages_LargerThanTheWindow_RoundTrip()
    {
        // Arrange: a message may exceed the 1 MiB window; it is sent alone (§8.3).
        var handler = new StreamHandler(async (request, stream, ct) =>
        {
            while (await stream.MoveNextAsync(ct))
            {
                await stream.WriteAsync(stream.Current.ToArray(), ct);
            }
            await stream.CompleteAsync(null, null, ct);
        });
        var (_, connection) = await StartAsync(handler);
        var blob = new byte[3 * 1024 * 1024];
        new Random(3).NextBytes(blob);
        await using var stream = await connection.OpenStreamAsync(Streams.Request()).DefaultTimeout();

        // Act
        var reader = Task.Run(async () =>
        {
            var echoed = new List<byte[]>();
            while (await stream.MoveNextAsync())
            {
                echoed.Add(stream.Current.ToArray());
            }
            return echoed;
        });
        for (var i = 0; i < 4; i++)
        {
            await stream.WriteAsync(blob).DefaultTimeout();
        }
        await stream.CompleteAsync().DefaultTimeout();
        var echoed = await reader.DefaultTimeout();

        // Assert
        Assert.That(echoed, Has.Count.EqualTo(4));
        Assert.That(echoed.All(b => b.AsSpan().SequenceEqual(blob)), Is.True);
    }

    [Test]
    public async Task Drain_OpenStreamRunsToCompletion_NewStreamRefusedAsNotProcessed()
    {
        // Arrange
        var handler = new StreamHandler(async (request, stream, ct) =>
        {
            var items = await stream.ReadAllAsync(ct);
            await stream.WriteAsync($"got {items.Count}", ct);
            await stream.CompleteAsync(null, null, ct);
        });
        var (listener, connection) = await StartAsync(handler);
        await using var stream = await connection.OpenStreamAsync(Streams.Request()).DefaultTimeout();
        await stream.WriteAsync("one").DefaultTimeout();

        // Act
        await listener.DrainAsync().DefaultTimeout();
        await Logs.WaitForAsync("GoAwayReceived");
        var refused = Assert.ThrowsAsync<TransportException>(() => connection.OpenStreamAsync(Streams.Request()).AsTask().DefaultTimeout());
        await stream.WriteAsync("two").DefaultTimeout();
        await stream.CompleteAsync().DefaultTimeout();
        var replies = await stream.ReadAllAsync().DefaultTimeout();

        // Assert
        Assert.That(refused!.NotProcessed, Is.True);
        Assert.That(replies, Is.EqualTo(new[] { "got 2" }));
    }

    [Test]
    public async Task TooManyCalls_StreamRefusedAsNotProcessed()
    {
        // Arrange
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var handler = new StreamHandler(async (request, stream, ct) =>
        {
            await release.Task.WaitAsync(ct);
            await stream.CompleteAsync(null, null, ct);
        });
        var (_, connection) = await StartAsync(handler, o => o.MaxConcurrentCalls = 1);
        await using var first = await connection.OpenStreamAsync(Streams.Request()).DefaultTimeout();

        // Act
        var e = Assert.ThrowsAsync<TransportException>(() => connection.OpenStreamAsync(Streams.Request()).AsTask().DefaultTimeout());
        release.SetResult();

        // Assert
        Assert.That(e!.NotProcessed, Is.True);
        Assert.That(e.Message, Does.Contain("503").Or.Contain("calls are already running"));
        Assert.That(await first.ReadAllAsync().DefaultTimeout(), Is.Empty);
    }

    [Test]
    public async Task OpenStream_CancelledBeforeTheAccept_ThrowsOperationCanceled()
    {
        // Arrange
        var handler = new StreamHandler((request, stream, ct) => stream.CompleteAsync(null, null, ct));
        var (_, connection) = await StartAsync(handler);
        using var cts = new CancellationTokenSource();
        cts.Cancel();

        // Act / Assert
        Assert.CatchAsync<OperationCanceledException>(() => connection.OpenStreamAsync(Streams.Request(), cts.Token).AsTask().DefaultTimeout());
        await using var stream = await connection.OpenStreamAsync(Streams.Request()).DefaultTimeout();
        Assert.That(await stream.ReadAllAsync().DefaultTimeout(), Is.Empty);
    }

    private const int TcpProtocolWindow = 1024 * 1024;
}
