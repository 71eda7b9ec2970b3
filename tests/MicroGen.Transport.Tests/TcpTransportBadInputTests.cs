using System;
using System.Buffers;
using System.Linq;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Threading.Tasks;
using MicroGen.Transport.Tests.Infrastructure;
using NUnit.Framework;

namespace MicroGen.Transport.Tests;

/// <summary>
/// Hostile or broken peers, on raw sockets: each must close its own connection with a logged
/// reason while a healthy connection to the same listener keeps working throughout.
/// </summary>
public sealed class TcpTransportBadInputTests : TransportTestBase
{
    private const uint ProtocolError = 1, FrameTooLarge = 2, UnsupportedVersion = 3, HandshakeTimeout = 4, KeepAliveTimeout = 5;

    private ITransportListener _listener = null!;
    private ITransportConnection _healthy = null!;

    [Test]
    public async Task BadFrame_MalformedHeaderBlock_ClosesOnlyThatConnection()
    {
        // Arrange
        await StartAsync();
        await using var peer = await HandshakenPeerAsync();
        byte[] payload = [.. Wire.Varint(200), .. Wire.Entry(1, "echo")]; // block length runs past the frame

        // Act
        await peer.SendAsync(Wire.Frame(Wire.Request, 0, 1, payload));
        var frames = await peer.ReadUntilClosedAsync().DefaultTimeout();

        // Assert
        Assert.That(frames.Single(f => f.Type == Wire.GoAway).GoAwayCode, Is.EqualTo(ProtocolError));
        var log = await Logs.WaitForAsync("ProtocolError");
        Assert.That(log.Message, Does.Contain("header block length 200 runs past the end"));
        await AssertHealthyAsync();
    }

    [Test]
    public async Task BadFrame_InvalidUtf8InHeader_ClosesOnlyThatConnection()
    {
        // Arrange
        await StartAsync();
        await using var peer = await HandshakenPeerAsync();
        byte[] block = [1, 2, 0xC3, 0x28, .. Wire.Entry(2, "Echo.Say"), .. Wire.Entry(4, "text/plain")];

        // Act
        await peer.SendAsync(Wire.Frame(Wire.Request, 0, 1, Wire.CallPayload(block, [])));
        var frames = await peer.ReadUntilClosedAsync().DefaultTimeout();

        // Assert
        Assert.That(frames.Single(f => f.Type == Wire.GoAway).GoAwayCode, Is.EqualTo(ProtocolError));
        Assert.That((await Logs.WaitForAsync("ProtocolError")).Message, Does.Contain("invalid UTF-8"));
        await AssertHealthyAsync();
    }

    [Test]
    public async Task BadFrame_OverMaxFrameSize_RefusedWithoutAllocatingClaimedSize()
    {
        // Arrange
        await StartAsync();
        await using var peer = await HandshakenPeerAsync();
        const uint claimed = 512u * 1024 * 1024;
        var before = GC.GetTotalAllocatedBytes(precise: true);

        // Act: only the 10-byte header of a 512 MiB frame, then a few body bytes.
        await peer.SendAsync([.. Wire.FrameHeader(claimed, Wire.Request, 0, 1), .. new byte[100]]);
        var frames = await peer.ReadUntilClosedAsync().DefaultTimeout();
        await Logs.WaitForAsync("ConnectionClosed");
        var allocated = GC.GetTotalAllocatedBytes(precise: true) - before;

        // Assert
        Assert.That(frames.Single(f => f.Type == Wire.GoAway).GoAwayCode, Is.EqualTo(FrameTooLarge));
        Assert.That((await Logs.WaitForAsync("ProtocolError")).Message, Does.Contain($"{claimed} bytes exceeds the maximum frame size of 4194304"));
        Assert.That(allocated, Is.LessThan(claimed / 32), $"allocated {allocated} bytes while refusing a {claimed}-byte frame");
        await AssertHealthyAsync();
    }

    [Test]
    public async Task BadPreamble_NotOurMagic_ClosedWithoutGoAway()
    {
        // Arrange
        await StartAsync();
        await using var peer = await RawPeer.ConnectAsync(_listener.Address);

        // Act
        await peer.SendAsync(Encoding.ASCII.GetBytes("GET / HTTP/1.1\r\nHost: x\r\n\r\n"));
        await peer.ReadPreambleAsync();
        var frames = await peer.ReadUntilClosedAsync().DefaultTimeout();

        // Assert
        Assert.That(frames, Is.Empty, "a peer that does not speak the protocol gets no GOAWAY");
        Assert.That((await Logs.WaitForAsync("ProtocolError")).Message, Does.Contain("invalid preamble"));
        await AssertHealthyAsync();
    }

    [Test]
    public async Task BadPreamble_UnsupportedVersion_GoAwayNamesBothVersions()
    {
        // Arrange
        await StartAsync();
        await using var peer = await RawPeer.ConnectAsync(_listener.Address);

        // Act
        await peer.SendAsync(Wire.Preamble(version: 9));
        await peer.ReadPreambleAsync();
        var frames = await peer.ReadUntilClosedAsync().DefaultTimeout();

        // Assert
        var goAway = frames.Single(f => f.Type == Wire.GoAway);
        Assert.That(goAway.GoAwayCode, Is.EqualTo(UnsupportedVersion));
        Assert.That(goAway.GoAwayReason, Does.Contain("version 1").And.Contain("version 9"));
        await Logs.WaitForAsync("ProtocolError");
        await AssertHealthyAsync();
    }

    [Test]
    public async Task BadFrame_UnknownType_ClosesOnlyThatConnection()
    {
        // Arrange
        await StartAsync();
        await using var peer = await HandshakenPeerAsync();

        // Act
        await peer.SendAsync(Wire.Frame(0x7F, 0, 1, [1, 2, 3]));
        var frames = await peer.ReadUntilClosedAsync().DefaultTimeout();

        // Assert
        Assert.That(frames.Single(f => f.Type == Wire.GoAway).GoAwayCode, Is.EqualTo(ProtocolError));
        Assert.That((await Logs.WaitForAsync("ProtocolError")).Message, Does.Contain("unknown frame type 0x7F"));
        await AssertHealthyAsync();
    }

    [TestCase(Wire.Ping, 1u, 8, "instead of stream 0")]
    [TestCase(Wire.Ping, 0u, 7, "instead of 8")]
    [TestCase(Wire.Cancel, 0u, 0, "on stream 0")]
    [TestCase(Wire.Request, 2u, 0, "even stream")]
    public async Task BadFrame_WrongStreamOrLength_ClosesOnlyThatConnection(byte type, uint streamId, int length, string reason)
    {
        // Arrange
        await StartAsync();
        await using var peer = await HandshakenPeerAsync();
        var payload = type == Wire.Request ? Wire.RequestFrame(streamId, "x")[10..] : new byte[length];

        // Act
        await peer.SendAsync(Wire.Frame(type, 0, streamId, payload));
        var frames = await peer.ReadUntilClosedAsync().DefaultTimeout();

        // Assert
        Assert.That(frames.Single(f => f.Type == Wire.GoAway).GoAwayCode, Is.EqualTo(ProtocolError));
        Assert.That((await Logs.WaitForAsync("ProtocolError")).Message, Does.Contain(reason));
        await AssertHealthyAsync();
    }

    [Test]
    public async Task BadRequest_MissingRequiredHeader_AnsweredNotProcessedAndConnectionStays()
    {
        // Arrange
        await StartAsync();
        await using var peer = await HandshakenPeerAsync();
        byte[] block = [.. Wire.Entry(1, "echo"), .. Wire.Entry(4, "text/plain")]; // no Micro-Endpoint

        // Act
        await peer.SendAsync(Wire.Frame(Wire.Request, 0, 1, Wire.CallPayload(block, [])));
        var refusal = await peer.ReadFrameAsync(Wire.Error).DefaultTimeout();
        await peer.SendAsync(Wire.RequestFrame(3, "fine"));
        var response = await peer.ReadFrameAsync(Wire.Response).DefaultTimeout();

        // Assert
        Assert.That(refusal!.Flags & 1, Is.EqualTo(1), "NOT_PROCESSED");
        Assert.That(MicroError.Parse(Wire.ParseCallPayload(refusal.Payload).WellKnown[5]).Code, Is.EqualTo(400));
        Assert.That(Wire.ParseCallPayload(response!.Payload).Body, Is.EqualTo("fine"u8.ToArray()));
    }

    [Test]
    public async Task SilentPeer_SendsNothing_ClosedAfterHandshakeTimeout()
    {
        // Arrange
        await StartAsync(o => o.HandshakeTimeout = TimeSpan.FromMilliseconds(300));
        await using var peer = await RawPeer.ConnectAsync(_listener.Address);

        // Act
        await peer.ReadPreambleAsync();
        var frames = await peer.ReadUntilClosedAsync().DefaultTimeout();

        // Assert
        Assert.That(frames.Single(f => f.Type == Wire.GoAway).GoAwayCode, Is.EqualTo(HandshakeTimeout));
        await Logs.WaitForAsync("HandshakeTimedOut");
        await AssertHealthyAsync();
    }

    [Test]
    public async Task SplitReads_PreambleAndRequestByteByByte_AnsweredCorrectly()
    {
        // Arrange
        await StartAsync();
        await using var peer = await RawPeer.ConnectAsync(_listener.Address);
        var metadata = Wire.UserEntry("User", "ann");
        byte[] block = [.. Wire.Entry(1, "echo"), .. Wire.Entry(2, "Echo.Say"), .. Wire.Entry(4, "text/plain"), .. metadata];

        // Act
        await peer.SendByteByByteAsync([.. Wire.Preamble(), .. Wire.Frame(Wire.Request, 0, 1, Wire.CallPayload(block, "split"u8.ToArray()))]);
        await peer.ReadPreambleAsync();
        var response = await peer.ReadFrameAsync(Wire.Response).DefaultTimeout();

        // Assert
        var (headers, body) = Wire.ParseCallPayload(response!.Payload);
        Assert.That(response.StreamId, Is.EqualTo(1u));
        Assert.That(body, Is.EqualTo("split"u8.ToArray()));
        Assert.That(headers[4], Is.EqualTo("text/plain"));
        Assert.That(headers[0], Is.EqualTo("ann"), "user metadata echoed");
    }

    [Test]
    public async Task ProtocolDocument_ExampleRequestBytes_ParseAsDocumented()
    {
        // Arrange: the example of docs/PROTOCOL.md §4, byte for byte.
        var handler = new EchoHandler();
        _listener = await ListenAsync(handler);
        await using var peer = await RawPeer.ConnectAsync(_listener.Address);
        var example = Convert.FromHexString(
            "00000046" + "01" + "00" + "00000001" + "3E" +
            "0107" + Hex("greeter") + "0210" + Hex("Greeter.SayHello") + "0413" + Hex("application/msgpack") +
            "06028827" + "0004" + Hex("User") + "03" + Hex("ann") + "91A5" + Hex("world"));

        // Act
        await peer.SendAsync([.. Wire.Preamble(), .. example]);
        await peer.ReadPreambleAsync();
        await peer.ReadFrameAsync(Wire.Response).DefaultTimeout();

        // Assert
        var seen = handler.Seen.Single();
        Assert.That((seen.Service, seen.Endpoint, seen.ContentType), Is.EqualTo(("greeter", "Greeter.SayHello", "application/msgpack")));
        Assert.That(seen.Timeout, Is.EqualTo(TimeSpan.FromSeconds(5)));
        Assert.That(seen.Metadata!["user"], Is.EqualTo("ann"));
        Assert.That(seen.Body.ToArray(), Is.EqualTo(Convert.FromHexString("91A5" + Hex("world"))));
    }

    [Test]
    public async Task KeepAlive_PeerStopsAnsweringPings_ListenerClosesIt()
    {
        // Arrange: pings every 100 ms on both sides; the healthy client answers, the raw peer does not.
        static void FastPings(TcpTransportOptions o)
        {
            o.PingInterval = TimeSpan.FromMilliseconds(100);
            o.MaxPingOut = 2;
        }
        await StartAsync(FastPings, FastPings);
        await using var peer = await HandshakenPeerAsync();

        // Act
        var frames = await peer.ReadUntilClosedAsync().DefaultTimeout();

        // Assert
        Assert.That(frames.Count(f => f.Type == Wire.Ping), Is.EqualTo(2), "MaxPingOut pings, then the close");
        Assert.That(frames.Single(f => f.Type == Wire.GoAway).GoAwayCode, Is.EqualTo(KeepAliveTimeout));
        await Logs.WaitForAsync("KeepAliveTimedOut");
        await AssertHealthyAsync();
    }

    [Test]
    public async Task KeepAlive_ListenerStopsAnsweringPings_ClientConnectionFailsItsCalls()
    {
        // Arrange: a raw listener that completes the handshake and then ignores everything.
        using var server = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        server.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        server.Listen(1);
        var dial = DialAsync(server.LocalEndPoint!.ToString()!, o => o.PingInterval = TimeSpan.FromMilliseconds(100));
        await using var peer = RawPeer.FromAccepted(await server.AcceptAsync().DefaultTimeout());
        await peer.SendAsync(Wire.Preamble());
        await peer.ReadPreambleAsync();
        var connection = await dial;
        var call = connection.InvokeAsync(Calls.Request("never answered")).AsTask();

        // Act
        var frames = await peer.ReadUntilClosedAsync().DefaultTimeout();

        // Assert
        Assert.That(frames.Single(f => f.Type == Wire.GoAway).GoAwayCode, Is.EqualTo(KeepAliveTimeout));
        var e = Assert.ThrowsAsync<TransportException>(async () => await call.DefaultTimeout());
        Assert.That(e!.NotProcessed, Is.False);
        Assert.That(connection.IsAvailable, Is.False);
        await Logs.WaitForAsync("KeepAliveTimedOut");
    }

    private async Task StartAsync(Action<TcpTransportOptions>? listener = null, Action<TcpTransportOptions>? client = null)
    {
        _listener = await ListenAsync(new EchoHandler(), configure: listener);
        _healthy = await DialAsync(_listener.Address, client);
        using var response = await _healthy.InvokeAsync(Calls.Request("warm-up")).DefaultTimeout();
    }

    private async Task<RawPeer> HandshakenPeerAsync()
    {
        var peer = await RawPeer.ConnectAsync(_listener.Address);
        await peer.SendAsync(Wire.Preamble());
        await peer.ReadPreambleAsync();
        return peer;
    }

    /// <summary>The healthy connection still works, and the listener still accepts new ones.</summary>
    private async Task AssertHealthyAsync()
    {
        using var response = await _healthy.InvokeAsync(Calls.Request("still here")).DefaultTimeout();
        Assert.That(response.Text(), Is.EqualTo("still here"));
        Assert.That(_healthy.IsAvailable, Is.True);
        var fresh = await DialAsync(_listener.Address);
        using var second = await fresh.InvokeAsync(Calls.Request("new connection")).DefaultTimeout();
        Assert.That(second.Text(), Is.EqualTo("new connection"));
    }

    private static string Hex(string text) => Convert.ToHexString(Encoding.UTF8.GetBytes(text));
}
