using System;
using System.Linq;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Threading.Tasks;
using MicroGen.Transport.Tests.Infrastructure;
using NUnit.Framework;

namespace MicroGen.Transport.Tests;

/// <summary>
/// The dialler's side of the handshake (docs/PROTOCOL.md §1): calls go out before the listener's
/// preamble, a large one waits for it, and a listener that turns out wrong fails the calls already
/// sent with the right "not processed" answer. The listener is a raw socket, so the test decides
/// when (and whether) its preamble is sent.
/// </summary>
public sealed class TcpTransportHandshakeTests : TransportTestBase
{
    private const uint UnsupportedVersion = 3, HandshakeTimeout = 4;
    private static readonly byte[] TextPlainBlock = [.. Wire.Entry(4, "text/plain")];

    [Test]
    public async Task Invoke_BeforeTheListenersPreamble_RequestGoesOutAtOnce()
    {
        // Arrange
        var (connection, peer) = await DialRawListenerAsync();
        await using var _ = peer;

        // Act: the listener has sent nothing yet.
        var call = connection.InvokeAsync(Calls.Request("early")).AsTask();
        await peer.ReadPreambleAsync();
        var request = await peer.ReadFrameAsync(Wire.Request).DefaultTimeout();
        await peer.SendAsync([.. Wire.Preamble(), .. Wire.Frame(Wire.Response, 0, request!.StreamId, Wire.CallPayload(TextPlainBlock, "answered"u8.ToArray()))]);

        // Assert
        Assert.That(Encoding.UTF8.GetString(Wire.ParseCallPayload(request.Payload).Body), Is.EqualTo("early"));
        using var response = await call.DefaultTimeout();
        Assert.That(response.Text(), Is.EqualTo("answered"));
        Assert.That(connection.IsAvailable, Is.True);
    }

    [Test]
    public async Task Invoke_LargerThanTheMinimumFrameBeforeThePreamble_WaitsForItThenGoesOut()
    {
        // Arrange
        var (connection, peer) = await DialRawListenerAsync();
        await using var _ = peer;
        await peer.ReadPreambleAsync();
        var body = new string('x', 4000);

        // Act
        var call = connection.InvokeAsync(Calls.Request(body)).AsTask();
        await Task.Delay(200);
        var sentEarly = peer.HasUnreadBytes;
        await peer.SendAsync(Wire.Preamble(maxFrameSize: 64 * 1024));
        var request = await peer.ReadFrameAsync(Wire.Request).DefaultTimeout();
        await peer.SendAsync(Wire.Frame(Wire.Response, 0, request!.StreamId, Wire.CallPayload(TextPlainBlock, "big"u8.ToArray())));

        // Assert
        Assert.That(sentEarly, Is.False, "a frame over 1,024 bytes must not go out before the listener named its limit");
        Assert.That(call.IsFaulted, Is.False);
        Assert.That(Wire.ParseCallPayload(request.Payload).Body, Has.Length.EqualTo(4000));
        using var response = await call.DefaultTimeout();
        Assert.That(response.Text(), Is.EqualTo("big"));
    }

    [Test]
    public async Task OpenStream_LargerThanTheMinimumFrameBeforeThePreamble_WaitsForItThenOpens()
    {
        // Arrange
        var (connection, peer) = await DialRawListenerAsync();
        await using var _ = peer;
        await peer.ReadPreambleAsync();

        // Act: leading arguments of 4,000 bytes, before the listener named its limit.
        var open = connection.OpenStreamAsync(Streams.Request(new string('y', 4000))).AsTask();
        await Task.Delay(200);
        var sentEarly = peer.HasUnreadBytes;
        await peer.SendAsync(Wire.Preamble(maxFrameSize: 64 * 1024));
        var request = await peer.ReadFrameAsync(Wire.Request).DefaultTimeout();
        await peer.SendAsync(Wire.Frame(Wire.Response, 0x01, request!.StreamId, Wire.CallPayload(TextPlainBlock, [])));
        await using var stream = await open.DefaultTimeout();

        // Assert
        Assert.That(sentEarly, Is.False, "a frame over 1,024 bytes must not go out before the listener named its limit");
        Assert.That(request.Flags & 0x01, Is.EqualTo(1), "OPEN_STREAM");
        Assert.That(Wire.ParseCallPayload(request.Payload).Body, Has.Length.EqualTo(4000));
    }

    [Test]
    public async Task Invoke_LargerThanTheListenersLimitBeforeThePreamble_Fails413AndSendsNothing()
    {
        // Arrange
        var (connection, peer) = await DialRawListenerAsync();
        await using var _ = peer;
        await peer.ReadPreambleAsync();
        var big = connection.InvokeAsync(Calls.Request(new string('x', 4000))).AsTask();

        // Act: the listener accepts at most 2,048 bytes.
        await peer.SendAsync(Wire.Preamble(maxFrameSize: 2048));
        using var refused = await big.DefaultTimeout();
        var small = connection.InvokeAsync(Calls.Request("small")).AsTask();
        var request = await peer.ReadFrameAsync().DefaultTimeout();

        // Assert
        Assert.That(refused.Error, Is.Not.Null);
        Assert.That(refused.Error!.Code, Is.EqualTo(413));
        Assert.That(refused.Error.Detail, Does.Contain("2048"));
        Assert.That(request!.Type, Is.EqualTo(Wire.Request));
        Assert.That(Encoding.UTF8.GetString(Wire.ParseCallPayload(request.Payload).Body), Is.EqualTo("small"), "the refused call sent nothing");
        Assert.That(connection.IsAvailable, Is.True);
        await peer.SendAsync(Wire.Frame(Wire.Response, 0, request.StreamId, Wire.CallPayload(TextPlainBlock, "ok"u8.ToArray())));
        using var response = await small.DefaultTimeout();
        Assert.That(response.Text(), Is.EqualTo("ok"));
    }

    [Test]
    public async Task Invoke_ListenerDoesNotSpeakTheProtocol_SentCallFailsNotProcessedWithoutGoAway()
    {
        // Arrange
        var (connection, peer, call) = await CallSentBeforeThePreambleAsync();
        await using var _ = peer;

        // Act: an HTTP server's answer instead of a preamble.
        await peer.SendAsync("HTTP/1.1 400 Bad Request\r\n\r\n"u8.ToArray());

        // Assert
        var e = Assert.ThrowsAsync<TransportException>(async () => await call.DefaultTimeout());
        Assert.That(e!.NotProcessed, Is.True, "a peer without the magic ran no handler: the call may be retried elsewhere");
        Assert.That(e.Message, Does.Contain("invalid preamble"));
        Assert.That(connection.IsAvailable, Is.False);
        Assert.That(await peer.ReadUntilClosedAsync().DefaultTimeout(), Is.Empty, "no GOAWAY to a peer that could not read it");
        var late = Assert.ThrowsAsync<TransportException>(async () => await connection.InvokeAsync(Calls.Request("late")).DefaultTimeout());
        Assert.That(late!.NotProcessed, Is.True);
    }

    [Test]
    public async Task Invoke_ListenerClosesInOrderBeforeItsPreamble_SentCallFailsNotProcessed()
    {
        // Arrange
        var (connection, peer, call) = await CallSentBeforeThePreambleAsync();
        await using var _ = peer;

        // Act
        peer.ShutdownSend();

        // Assert
        var e = Assert.ThrowsAsync<TransportException>(async () => await call.DefaultTimeout());
        Assert.That(e!.NotProcessed, Is.True, "a listener sends its preamble before it reads anything");
        Assert.That(e.Message, Does.Contain("before completing the preamble"));
        Assert.That(connection.IsAvailable, Is.False);
    }

    [Test]
    public async Task Invoke_ListenerSpeaksAnotherVersion_SentCallFailsMaybeProcessedAndGoAwayNamesBoth()
    {
        // Arrange
        var (connection, peer, call) = await CallSentBeforeThePreambleAsync();
        await using var _ = peer;

        // Act
        await peer.SendAsync(Wire.Preamble(version: 9));

        // Assert
        var e = Assert.ThrowsAsync<TransportException>(async () => await call.DefaultTimeout());
        Assert.That(e!.NotProcessed, Is.False, "a listener of another version may still have read the call");
        Assert.That(e.Message, Does.Contain("version 9"));
        var goAway = (await peer.ReadUntilClosedAsync().DefaultTimeout()).Single(f => f.Type == Wire.GoAway);
        Assert.That(goAway.GoAwayCode, Is.EqualTo(UnsupportedVersion));
        Assert.That(goAway.GoAwayReason, Does.Contain("version 1").And.Contain("version 9"));
    }

    [Test]
    public async Task Invoke_ListenerNeverSendsItsPreamble_SentCallFailsAfterTheHandshakeTimeout()
    {
        // Arrange
        var (_, peer, call) = await CallSentBeforeThePreambleAsync(o => o.HandshakeTimeout = TimeSpan.FromMilliseconds(300));
        await using var _ = peer;

        // Act
        var frames = await peer.ReadUntilClosedAsync().DefaultTimeout();

        // Assert
        Assert.That(frames.Single(f => f.Type == Wire.GoAway).GoAwayCode, Is.EqualTo(HandshakeTimeout));
        var e = Assert.ThrowsAsync<TransportException>(async () => await call.DefaultTimeout());
        Assert.That(e!.NotProcessed, Is.False, "the listener's preamble may be lost on the way while it ran the call");
        Assert.That(e.Message, Does.Contain("handshake timeout"));
        await Logs.WaitForAsync("HandshakeTimedOut");
    }

    [Test]
    public async Task Invoke_WaitingForThePreambleWhenTheListenerTurnsOutWrong_FailsNotProcessed()
    {
        // Arrange
        var (connection, peer) = await DialRawListenerAsync();
        await using var _ = peer;
        await peer.ReadPreambleAsync();
        var waiting = connection.InvokeAsync(Calls.Request(new string('x', 4000))).AsTask();

        // Act
        await peer.SendAsync(Wire.Preamble(version: 9));

        // Assert
        var e = Assert.ThrowsAsync<TransportException>(async () => await waiting.DefaultTimeout());
        Assert.That(e!.NotProcessed, Is.True, "the waiting call was never sent");
        Assert.That(e.Message, Does.Contain("during the handshake").And.Contain("version 9"));
        var frames = await peer.ReadUntilClosedAsync().DefaultTimeout();
        Assert.That(frames.Select(f => f.Type), Is.EqualTo(new[] { Wire.GoAway }), "no request went out");
    }

    [Test]
    public async Task Dial_NothingListens_FailsNotProcessed()
    {
        // Arrange: a port that was free a moment ago.
        using var probe = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        probe.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        var address = probe.LocalEndPoint!.ToString()!;
        probe.Dispose();
        var transport = CreateTransport();

        // Act
        var e = Assert.ThrowsAsync<TransportException>(async () => await transport.DialAsync(address).DefaultTimeout());

        // Assert
        Assert.That(e!.NotProcessed, Is.True);
        Assert.That(e.Message, Does.Contain(address));
    }

    [Test]
    public async Task Dial_ConnectNeverCompletes_FailsAfterTheHandshakeTimeoutNotProcessed()
    {
        // Arrange: a listener that never accepts, its accept queue filled, so a new connect's SYN is dropped.
        using var server = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        server.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        server.Listen(1);
        var fillers = new System.Collections.Generic.List<Socket>();
        try
        {
            var queueFull = false;
            for (var i = 0; i < 8 && !queueFull; i++)
            {
                var filler = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                fillers.Add(filler);
                var connect = filler.ConnectAsync(server.LocalEndPoint!);
                queueFull = await Task.WhenAny(connect, Task.Delay(300)) != connect;
            }
            Assert.That(queueFull, Is.True, "the accept queue never filled up");
            var transport = CreateTransport(o => o.HandshakeTimeout = TimeSpan.FromMilliseconds(300));

            // Act
            var e = Assert.ThrowsAsync<TransportException>(async () => await transport.DialAsync(server.LocalEndPoint!.ToString()!).DefaultTimeout());

            // Assert
            Assert.That(e!.NotProcessed, Is.True);
            Assert.That(e.Message, Does.Contain("not connected within"));
        }
        finally
        {
            fillers.ForEach(f => f.Dispose());
        }
    }

    /// <summary>Dials a raw listener and makes one call before the listener has said anything; returns once its request arrived.</summary>
    private async Task<(ITransportConnection Connection, RawPeer Peer, Task<TransportResponse> Call)> CallSentBeforeThePreambleAsync(Action<TcpTransportOptions>? configure = null)
    {
        var (connection, peer) = await DialRawListenerAsync(configure);
        var call = connection.InvokeAsync(Calls.Request("early")).AsTask();
        await peer.ReadPreambleAsync();
        await peer.ReadFrameAsync(Wire.Request).DefaultTimeout();
        return (connection, peer, call);
    }

    /// <summary>Dials a raw listening socket and accepts the connection; the test speaks for the listener.</summary>
    private async Task<(ITransportConnection Connection, RawPeer Peer)> DialRawListenerAsync(Action<TcpTransportOptions>? configure = null)
    {
        var server = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            server.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            server.Listen(1);
            var dial = DialAsync(server.LocalEndPoint!.ToString()!, configure);
            var peer = RawPeer.FromAccepted(await server.AcceptAsync().DefaultTimeout());
            return (await dial, peer);
        }
        finally
        {
            server.Dispose();
        }
    }
}
