using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Threading;
using System.Threading.Tasks;

namespace MicroGen.Transport.Tests.Infrastructure;

/// <summary>A frame as read off a raw socket.</summary>
public sealed record RawFrame(byte Type, byte Flags, uint StreamId, byte[] Payload)
{
    public uint GoAwayCode => BinaryPrimitives.ReadUInt32BigEndian(Payload.AsSpan(4));

    public uint GoAwayLastStreamId => BinaryPrimitives.ReadUInt32BigEndian(Payload);

    public string GoAwayReason => Encoding.UTF8.GetString(Payload.AsSpan(8));
}

/// <summary>
/// Builds wire bytes by hand from docs/PROTOCOL.md, independently of the transport's own writer,
/// so the tests check the documented format rather than the implementation against itself.
/// </summary>
public static class Wire
{
    public const byte Request = 0x01, Response = 0x02, Error = 0x03, StreamData = 0x04, StreamEnd = 0x05,
        Cancel = 0x06, Ping = 0x07, Pong = 0x08, GoAway = 0x09, WindowUpdate = 0x0A;

    public static byte[] Preamble(byte version = 1, uint maxFrameSize = 4 * 1024 * 1024)
    {
        var bytes = new byte[12];
        "MGEN"u8.CopyTo(bytes);
        bytes[4] = version;
        BinaryPrimitives.WriteUInt32BigEndian(bytes.AsSpan(8), maxFrameSize);
        return bytes;
    }

    public static byte[] FrameHeader(uint length, byte type, byte flags, uint streamId)
    {
        var bytes = new byte[10];
        BinaryPrimitives.WriteUInt32BigEndian(bytes, length);
        bytes[4] = type;
        bytes[5] = flags;
        BinaryPrimitives.WriteUInt32BigEndian(bytes.AsSpan(6), streamId);
        return bytes;
    }

    public static byte[] Frame(byte type, byte flags, uint streamId, byte[] payload) =>
        [.. FrameHeader((uint)payload.Length, type, flags, streamId), .. payload];

    public static byte[] Varint(uint value)
    {
        var bytes = new List<byte>();
        while (value >= 0x80)
        {
            bytes.Add((byte)(value | 0x80));
            value >>= 7;
        }
        bytes.Add((byte)value);
        return [.. bytes];
    }

    public static byte[] Entry(uint key, string value)
    {
        var bytes = Encoding.UTF8.GetBytes(value);
        return [.. Varint(key), .. Varint((uint)bytes.Length), .. bytes];
    }

    public static byte[] UserEntry(string name, string value)
    {
        var n = Encoding.UTF8.GetBytes(name);
        var v = Encoding.UTF8.GetBytes(value);
        return [0, .. Varint((uint)n.Length), .. n, .. Varint((uint)v.Length), .. v];
    }

    public static byte[] CallPayload(byte[] block, byte[] body) => [.. Varint((uint)block.Length), .. block, .. body];

    public static byte[] RequestFrame(uint streamId, string body, string service = "echo", string endpoint = "Echo.Say", string contentType = "text/plain")
    {
        byte[] block = [.. Entry(1, service), .. Entry(2, endpoint), .. Entry(4, contentType)];
        return Frame(Request, 0, streamId, CallPayload(block, Encoding.UTF8.GetBytes(body)));
    }

    /// <summary>Splits a REQUEST/RESPONSE/ERROR payload into its header entries and body.</summary>
    public static (Dictionary<uint, string> WellKnown, byte[] Body) ParseCallPayload(byte[] payload)
    {
        var position = 0;
        var blockLength = (int)ReadVarint(payload, ref position);
        var end = position + blockLength;
        var headers = new Dictionary<uint, string>();
        while (position < end)
        {
            var key = ReadVarint(payload, ref position);
            if (key == 0)
            {
                var nameLength = (int)ReadVarint(payload, ref position);
                position += nameLength;
            }
            var length = (int)ReadVarint(payload, ref position);
            headers[key] = Encoding.UTF8.GetString(payload, position, length);
            position += length;
        }
        return (headers, payload[end..]);
    }

    private static uint ReadVarint(byte[] bytes, ref int position)
    {
        uint value = 0;
        for (var shift = 0; ; shift += 7)
        {
            var b = bytes[position++];
            value |= (uint)(b & 0x7F) << shift;
            if ((b & 0x80) == 0)
            {
                return value;
            }
        }
    }
}

/// <summary>A raw TCP socket speaking (or misspeaking) the protocol by hand.</summary>
public sealed class RawPeer : IAsyncDisposable
{
    private readonly Socket _socket;
    private readonly List<byte> _buffer = new();
    private readonly byte[] _chunk = new byte[64 * 1024];

    private RawPeer(Socket socket) => _socket = socket;

    public static async Task<RawPeer> ConnectAsync(string address)
    {
        var endPoint = IPEndPoint.Parse(address);
        var socket = new Socket(endPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync(endPoint).DefaultTimeout();
        return new RawPeer(socket);
    }

    public static RawPeer FromAccepted(Socket socket) => new(socket);

    public Task SendAsync(byte[] bytes) => _socket.SendAsync(bytes, SocketFlags.None).DefaultTimeout();

    /// <summary>Sends one byte per send call with a pause between, so the receiver sees many partial reads.</summary>
    public async Task SendByteByByteAsync(byte[] bytes)
    {
        for (var i = 0; i < bytes.Length; i++)
        {
            await _socket.SendAsync(bytes.AsMemory(i, 1), SocketFlags.None).AsTask().DefaultTimeout();
            await Task.Delay(1);
        }
    }

    /// <summary>Whether any byte from the other side is waiting to be read.</summary>
    public bool HasUnreadBytes => _buffer.Count > 0 || _socket.Available > 0;

    /// <summary>Closes the sending direction in order (a FIN, never a reset).</summary>
    public void ShutdownSend() => _socket.Shutdown(SocketShutdown.Send);

    public async Task<byte[]> ReadPreambleAsync() => await ReadExactlyAsync(12) ?? throw new EndOfStreamException("closed before the preamble");

    /// <summary>Reads the next frame, or null when the peer closed the connection.</summary>
    public async Task<RawFrame?> ReadFrameAsync()
    {
        var header = await ReadExactlyAsync(10);
        if (header is null)
        {
            return null;
        }
        var length = BinaryPrimitives.ReadUInt32BigEndian(header);
        var payload = length == 0 ? [] : await ReadExactlyAsync((int)length) ?? throw new EndOfStreamException("closed inside a frame");
        return new RawFrame(header[4], header[5], BinaryPrimitives.ReadUInt32BigEndian(header.AsSpan(6)), payload);
    }

    /// <summary>Reads frames until one of <paramref name="type"/> arrives (answering nothing); null when closed first.</summary>
    public async Task<RawFrame?> ReadFrameAsync(byte type)
    {
        while (await ReadFrameAsync() is { } frame)
        {
            if (frame.Type == type)
            {
                return frame;
            }
        }
        return null;
    }

    /// <summary>Reads and discards until the peer closes; returns every frame seen. Throws if it stays open.</summary>
    public async Task<List<RawFrame>> ReadUntilClosedAsync()
    {
        var frames = new List<RawFrame>();
        try
        {
            while (await ReadFrameAsync() is { } frame)
            {
                frames.Add(frame);
            }
        }
        catch (SocketException)
        {
            // A reset is a close too.
        }
        return frames;
    }

    private async Task<byte[]?> ReadExactlyAsync(int count)
    {
        while (_buffer.Count < count)
        {
            var received = await _socket.ReceiveAsync(_chunk.AsMemory(), SocketFlags.None).AsTask().DefaultTimeout();
            if (received == 0)
            {
                return null;
            }
            _buffer.AddRange(_chunk.AsSpan(0, received));
        }
        var bytes = _buffer.Take(count).ToArray();
        _buffer.RemoveRange(0, count);
        return bytes;
    }

    public ValueTask DisposeAsync()
    {
        _socket.Dispose();
        return ValueTask.CompletedTask;
    }
}
