using System;
using System.Linq;
using System.Net;
using System.Net.Sockets;
using System.Threading;
using System.Threading.Tasks;
using MicroGen.Transport.Tests.Infrastructure;
using NUnit.Framework;

namespace MicroGen.Transport.Tests;

public sealed class TcpTransportLifecycleTests : TransportTestBase
{
    [Test]
    public async Task Invoke_CallerCancels_HandlerTokenFiresAndCallIsCancelled()
    {
        // Arrange
        var handler = new SlowHandler();
        var listener = await ListenAsync(handler);
        var connection = await DialAsync(listener.Address);
        using var cts = new CancellationTokenSource();
        var call = connection.InvokeAsync(Calls.Request("wait"), cts.Token).AsTask();
        await handler.Started.DefaultTimeout();

        // Act
        cts.Cancel();

        // Assert
        Assert.That(async () => await call.DefaultTimeout(), Throws.InstanceOf<OperationCanceledException>());
        await handler.Cancelled.DefaultTimeout();
        handler.Release();
        using var after = await connection.InvokeAsync(Calls.Request("next")).DefaultTimeout();
        Assert.That(after.Text(), Is.EqualTo("next"), "a cancelled call leaves the connection usable");
    }

    [Test]
    public async Task Invoke_ConnectionDropsWithCallsPending_EachFailsWithTransportExceptionMaybeProcessed()
    {
        // Arrange: a raw listener that reads the requests and then drops the connection without a word.
        using var server = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        server.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        server.Listen(1);
        var dial = DialAsync(server.LocalEndPoint!.ToString()!);
        await using var peer = RawPeer.FromAccepted(await server.AcceptAsync().DefaultTimeout());
        await peer.SendAsync(Wire.Preamble());
        await peer.ReadPreambleAsync();
        var connection = await dial;
        var calls = Enumerable.Range(0, 3).Select(i => connection.InvokeAsync(Calls.Request($"c{i}")).AsTask()).ToArray();
        for (var i = 0; i < calls.Length; i++)
        {
            await peer.ReadFrameAsync(Wire.Request).DefaultTimeout();
        }

        // Act
        await peer.DisposeAsync();

        // Assert
        foreach (var call in calls)
        {
            var e = Assert.ThrowsAsync<TransportException>(async () => await call.DefaultTimeout());
            Assert.That(e!.NotProcessed, Is.False, "the request may have reached a handler");
            Assert.That(e.Message, Does.Contain("closed"));
        }
        Assert.That(connection.IsAvailable, Is.False);
        var refused = Assert.ThrowsAsync<TransportException>(async () => await connection.InvokeAsync(Calls.Request("late")).DefaultTimeout());
        Assert.That(refused!.NotProcessed, Is.True, "a call on a closed connection never left");
    }

    [Test]
    public async Task Drain_CallsInFlight_FinishWhileNewCallsAreRefusedNotProcessed()
    {
        // Arrange
        var handler = new SlowHandler();
        var listener = await ListenAsync(handler);
        var connection = await DialAsync(listener.Address);
        var inFlight = connection.InvokeAsync(Calls.Request("in flight")).AsTask();
        await handler.Started.DefaultTimeout();

        // Act
        await listener.DrainAsync().DefaultTimeout();
        await WaitUntilAsync(() => !connection.IsAvailable);
        var late = Assert.ThrowsAsync<TransportException>(async () => await connection.InvokeAsync(Calls.Request("late")).DefaultTimeout());
        handler.Release();

        // Assert
        using var response = await inFlight.DefaultTimeout();
        Assert.That(response.Text(), Is.EqualTo("in flight"));
        Assert.That(late!.NotProcessed, Is.True);
        var transport = CreateTransport();
        var redial = Assert.ThrowsAsync<TransportException>(async () => await transport.DialAsync(listener.Address).DefaultTimeout());
        Assert.That(redial!.NotProcessed, Is.True, "a draining listener accepts no new connections");
    }

    [Test]
    public async Task Drain_ClientDisposesUnavailableConnection_InFlightCallStillCompletes()
    {
        // Arrange: MicroClient disposes a connection as soon as IsAvailable turns false.
        var handler = new SlowHandler();
        var listener = await ListenAsync(handler);
        var connection = await CreateTransport().DialAsync(listener.Address).DefaultTimeout();
        var inFlight = connection.InvokeAsync(Calls.Request("in flight")).AsTask();
        await handler.Started.DefaultTimeout();
        await listener.DrainAsync().DefaultTimeout();
        await WaitUntilAsync(() => !connection.IsAvailable);

        // Act
        var disposed = connection.DisposeAsync().AsTask();
        handler.Release();

        // Assert
        using var response = await inFlight.DefaultTimeout();
        Assert.That(response.Text(), Is.EqualTo("in flight"));
        await disposed.DefaultTimeout();
        await Logs.WaitForAsync("ConnectionClosed", e => e.Message.Contains("no calls remain"));
    }

    [Test]
    public async Task Drain_RequestRacingTheGoAway_IsAnsweredRefusedNotProcessed()
    {
        // Arrange: a raw dialler, so a REQUEST can be sent after the GOAWAY is already on the wire.
        var handler = new EchoHandler();
        var listener = await ListenAsync(handler);
        await using var peer = await RawPeer.ConnectAsync(listener.Address);
        await peer.SendAsync(Wire.Preamble());
        await peer.ReadPreambleAsync();
        await peer.SendAsync(Wire.RequestFrame(1, "before"));
        var first = await peer.ReadFrameAsync(Wire.Response).DefaultTimeout();

        // Act
        await listener.DrainAsync().DefaultTimeout();
        var goAway = await peer.ReadFrameAsync(Wire.GoAway).DefaultTimeout();
        await peer.SendAsync(Wire.RequestFrame(3, "after"));
        var refusal = await peer.ReadFrameAsync().DefaultTimeout();

        // Assert
        Assert.That(Wire.ParseCallPayload(first!.Payload).Body, Is.EqualTo("before"u8.ToArray()));
        Assert.That(goAway!.GoAwayCode, Is.EqualTo(0u), "NO_ERROR");
        Assert.That(goAway.GoAwayLastStreamId, Is.EqualTo(1u));
        Assert.That(refusal!.Type, Is.EqualTo(Wire.Error));
        Assert.That(refusal.StreamId, Is.EqualTo(3u));
        Assert.That(refusal.Flags & 0x01, Is.EqualTo(1), "NOT_PROCESSED");
        Assert.That(MicroError.Parse(Wire.ParseCallPayload(refusal.Payload).WellKnown[5]).Code, Is.EqualTo(503));
        Assert.That(handler.Seen.Select(r => r.Text()), Is.EqualTo(new[] { "before" }), "the refused call never reached the handler");
    }

    [Test]
    public async Task GoAway_PendingCallAboveLastStreamId_FailsNotProcessed()
    {
        // Arrange: a raw listener that receives two calls, then says it processed only the first.
        using var server = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        server.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        server.Listen(1);
        var dial = DialAsync(server.LocalEndPoint!.ToString()!);
        await using var peer = RawPeer.FromAccepted(await server.AcceptAsync().DefaultTimeout());
        await peer.SendAsync(Wire.Preamble());
        await peer.ReadPreambleAsync();
        var connection = await dial;
        var first = connection.InvokeAsync(Calls.Request("one")).AsTask();
        var second = connection.InvokeAsync(Calls.Request("two")).AsTask();
        var r1 = await peer.ReadFrameAsync(Wire.Request).DefaultTimeout();
        var r2 = await peer.ReadFrameAsync(Wire.Request).DefaultTimeout();

        // Act: GOAWAY(last = first's id), then answer the first.
        await peer.SendAsync(Wire.Frame(Wire.GoAway, 0, 0, [.. Be(r1!.StreamId), .. Be(0), .. "draining"u8.ToArray()]));
        byte[] block = [.. Wire.Entry(4, "text/plain")];
        await peer.SendAsync(Wire.Frame(Wire.Response, 0, r1.StreamId, Wire.CallPayload(block, "1"u8.ToArray())));

        // Assert
        var e = Assert.ThrowsAsync<TransportException>(async () => await second.DefaultTimeout());
        Assert.That(e!.NotProcessed, Is.True);
        using var response = await first.DefaultTimeout();
        Assert.That(response.Text(), Is.EqualTo("1"));
        Assert.That(r2!.StreamId, Is.GreaterThan(r1.StreamId));
        Assert.That(connection.IsAvailable, Is.False);
    }

    [Test]
    public async Task DisposeListener_CallPending_FailsWithTransportException()
    {
        // Arrange
        var handler = new SlowHandler();
        var transport = CreateTransport();
        var listener = await transport.ListenAsync("127.0.0.1:0", handler).DefaultTimeout();
        var connection = await DialAsync(listener.Address);
        var call = connection.InvokeAsync(Calls.Request("pending")).AsTask();
        await handler.Started.DefaultTimeout();

        // Act
        await listener.DisposeAsync().DefaultTimeout();

        // Assert
        var e = Assert.ThrowsAsync<TransportException>(async () => await call.DefaultTimeout());
        Assert.That(e!.NotProcessed, Is.False);
        await handler.Cancelled.DefaultTimeout();
    }

    private static byte[] Be(uint value) => [(byte)(value >> 24), (byte)(value >> 16), (byte)(value >> 8), (byte)value];

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + TestTimeouts.Default;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException("condition not met");
            }
            await Task.Delay(10);
        }
    }
}
