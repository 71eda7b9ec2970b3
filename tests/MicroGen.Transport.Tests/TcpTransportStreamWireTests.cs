using System;
using System.Buffers.Binary;
using System.Linq;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using MicroGen.Transport.Tests.Infrastructure;
using NUnit.Framework;

namespace MicroGen.Transport.Tests;

/// <summary>Streaming calls as a raw dialler sees them on the wire (docs/PROTOCOL.md §8).</summary>
public sealed class TcpTransportStreamWireTests : TransportTestBase
{
    private const byte OpenStream = 0x01;
    private const uint ProtocolError = 1, FlowControlError = 7;

    private ITransportListener _listener = null!;

    [Test]
    public async Task Stream_OnTheWire_AcceptThenDataThenEndWithTrailers()
    {
        // Arrange
        await StartAsync(new StreamHandler(async (request, stream, ct) =>
        {
            while (await stream.MoveNextAsync(ct))
            {
                await stream.WriteAsync($"{request.Text()}:{stream.CurrentText()}", ct);
            }
            await stream.CompleteAsync(null, new Metadata().Set("N", "1"), ct);
        }));
        await using var peer = await HandshakenPeerAsync();

        // Act
        await peer.SendAsync(OpenStreamFrame(1, "x"));
        var accept = await peer.ReadFrameAsync().DefaultTimeout();
        await peer.SendAsync(Wire.Frame(Wire.StreamData, 0, 1, Encoding.UTF8.GetBytes("a")));
        await peer.SendAsync(Wire.Frame(Wire.StreamEnd, 0, 1, []));
        var data = await peer.ReadFrameAsync().DefaultTimeout();
        var end = await peer.ReadFrameAsync().DefaultTimeout();

        // Assert
        Assert.That((accept!.Type, accept.Flags, accept.StreamId), Is.EqualTo((Wire.Response, OpenStream, 1u)));
        var (wellKnown, body) = Wire.ParseCallPayload(accept.Payload);
        Assert.That(wellKnown[4], Is.EqualTo("text/plain"));
        Assert.That(body, Is.Empty);
        Assert.That((data!.Type, data.StreamId, Encoding.UTF8.GetString(data.Payload)), Is.EqualTo((Wire.StreamData, 1u, "x:a")));
        Assert.That((end!.Type, end.StreamId), Is.EqualTo((Wire.StreamEnd, 1u)));
        var entry = Wire.UserEntry("N", "1");
        byte[] trailers = [.. Wire.Varint((uint)entry.Length), .. entry];
        Assert.That(end.Payload, Is.EqualTo(trailers));
    }

    [Test]
    public async Task Listener_ReturnsWindow_OnceItsReaderConsumedHalf()
    {
        // Arrange
        await StartAsync(new StreamHandler(async (request, stream, ct) =>
        {
            await stream.ReadAllAsync(ct);
            await stream.CompleteAsync(null, null, ct);
        }));
        await using var peer = await HandshakenPeerAsync();
        await peer.SendAsync(OpenStreamFrame(1, ""));
        await peer.ReadFrameAsync().DefaultTimeout();

        // Act: 600 messages of 1 KiB, each costing 1,034 bytes of window.
        var message = Wire.Frame(Wire.StreamData, 0, 1, new byte[1024]);
        await peer.SendAsync(Enumerable.Range(0, 600).SelectMany(_ => message).ToArray());
        var update = await peer.ReadFrameAsync(Wire.WindowUpdate).DefaultTimeout();

        // Assert: the first update returns exactly the messages consumed to reach half the window.
        Assert.That(update!.StreamId, Is.EqualTo(1u));
        var messagesToHalf = (int)Math.Ceiling(512 * 1024 / 1034.0);
        Assert.That(BinaryPrimitives.ReadUInt32BigEndian(update.Payload), Is.EqualTo((uint)(messagesToHalf * 1034)));
    }

    [Test]
    public async Task Violation_DataBeyondTheWindow_ClosesWithFlowControlError()
    {
        // Arrange: a handler that never reads, so no window comes back.
        await StartAsync(new StreamHandler(async (request, stream, ct) => await Task.Delay(Timeout.InfiniteTimeSpan, ct)));
        await using var peer = await HandshakenPeerAsync();
        await peer.SendAsync(OpenStreamFrame(1, ""));
        await peer.ReadFrameAsync().DefaultTimeout();

        // Act: 16 frames of 64 KiB overdraw the 1 MiB window by 160 bytes; the 17th has no window left.
        var frame = Wire.Frame(Wire.StreamData, 0, 1, new byte[64 * 1024]);
        await peer.SendAsync(Enumerable.Range(0, 17).SelectMany(_ => frame).ToArray());
        var frames = await peer.ReadUntilClosedAsync().DefaultTimeout();

        // Assert
        Assert.That(frames.Single(f => f.Type == Wire.GoAway).GoAwayCode, Is.EqualTo(FlowControlError));
        Assert.That((await Logs.WaitForAsync("ProtocolError")).Message, Does.Contain("no window left"));
    }

    [Test]
    public async Task Violation_WindowUpdateOfZero_ClosesWithProtocolError()
    {
        // Arrange
        await StartAsync(new StreamHandler(async (request, stream, ct) => await Task.Delay(Timeout.InfiniteTimeSpan, ct)));
        await using var peer = await HandshakenPeerAsync();
        await peer.SendAsync(OpenStreamFrame(1, ""));
        await peer.ReadFrameAsync().DefaultTimeout();

        // Act
        await peer.SendAsync(Wire.Frame(Wire.WindowUpdate, 0, 1, [0, 0, 0, 0]));
        var frames = await peer.ReadUntilClosedAsync().DefaultTimeout();

        // Assert
        Assert.That(frames.Single(f => f.Type == Wire.GoAway).GoAwayCode, Is.EqualTo(ProtocolError));
    }

    [Test]
    public async Task Violation_StreamDataOnAUnaryCall_ClosesWithProtocolError()
    {
        // Arrange: a unary handler that is still running when the frame arrives.
        var slow = new SlowHandler();
        _listener = await ListenAsync(slow);
        await using var peer = await HandshakenPeerAsync();
        await peer.SendAsync(Wire.RequestFrame(1, "x"));
        await slow.Started.DefaultTimeout();

        // Act
        await peer.SendAsync(Wire.Frame(Wire.StreamData, 0, 1, [1, 2, 3]));
        var frames = await peer.ReadUntilClosedAsync().DefaultTimeout();

        // Assert
        Assert.That(frames.Single(f => f.Type == Wire.GoAway).GoAwayCode, Is.EqualTo(ProtocolError));
        Assert.That((await Logs.WaitForAsync("ProtocolError")).Message, Does.Contain("unary call 1"));
    }

    [Test]
    public async Task LateFrames_ForAFinishedStream_AreIgnored()
    {
        // Arrange
        await StartAsync(new StreamHandler((request, stream, ct) => stream.CompleteAsync(null, null, ct)));
        await using var peer = await HandshakenPeerAsync();
        await peer.SendAsync(OpenStreamFrame(1, ""));
        await peer.ReadFrameAsync(Wire.StreamEnd).DefaultTimeout();

        // Act: the call is over (§8.1); what the dialler still sends is dropped, not an error.
        await peer.SendAsync([.. Wire.Frame(Wire.StreamData, 0, 1, [1]), .. Wire.Frame(Wire.StreamEnd, 0, 1, []), .. Wire.Frame(Wire.WindowUpdate, 0, 1, [0, 0, 0, 9])]);
        await peer.SendAsync(Wire.RequestFrame(3, "still open"));
        var reply = await peer.ReadFrameAsync(Wire.Response).DefaultTimeout();

        // Assert
        Assert.That(reply!.StreamId, Is.EqualTo(3u));
        Assert.That(Encoding.UTF8.GetString(Wire.ParseCallPayload(reply.Payload).Body), Is.EqualTo("still open"));
    }

    private static byte[] OpenStreamFrame(uint streamId, string body)
    {
        var frame = Wire.RequestFrame(streamId, body, endpoint: "Echo.Stream");
        frame[5] = OpenStream; // the flags byte of the frame header
        return frame;
    }

    private async Task StartAsync(ITransportHandler handler) => _listener = await ListenAsync(handler);

    private async Task<RawPeer> HandshakenPeerAsync()
    {
        var peer = await RawPeer.ConnectAsync(_listener.Address);
        await peer.SendAsync(Wire.Preamble());
        await peer.ReadPreambleAsync();
        return peer;
    }
}
