using System;
using System.Buffers;
using System.Buffers.Binary;
using System.Text;
using System.Text.Unicode;

namespace MicroGen.Transport.Internal;

/// <summary>A frame header (§2): <c>length u32 | type u8 | flags u8 | stream id u32</c>.</summary>
internal readonly record struct FrameHeader(int Length, FrameType Type, byte Flags, uint StreamId);

/// <summary>The peer's preamble (§1).</summary>
internal readonly record struct Preamble(byte Version, int MaxFrameSize);

/// <summary>The decoded header block of a REQUEST, RESPONSE or ERROR (§4).</summary>
internal struct HeaderBlock
{
    public string? Service;
    public string? Endpoint;
    public string? Id;
    public string? ContentType;
    public string? Error;
    public uint? TimeoutMilliseconds;
    public Metadata? Metadata;
}

/// <summary>
/// Parses the wire format from a <see cref="ReadOnlySequence{T}"/> without copying payloads it does
/// not keep. Every method either returns false (need more bytes) or throws
/// <see cref="ProtocolException"/>; none of them allocates in proportion to a length the peer claims.
/// </summary>
internal static class FrameReader
{
    /// <summary>Reads the 12-byte preamble, or returns false when it has not fully arrived.</summary>
    public static bool TryReadPreamble(ref ReadOnlySequence<byte> buffer, out Preamble preamble)
    {
        preamble = default;
        if (buffer.Length < TcpProtocol.PreambleSize)
        {
            // A wrong magic is visible before the whole preamble arrives: fail fast on it.
            Span<byte> partial = stackalloc byte[4];
            var available = (int)Math.Min(buffer.Length, 4);
            buffer.Slice(0, available).CopyTo(partial);
            if (!TcpProtocol.Magic[..available].SequenceEqual(partial[..available]))
            {
                ThrowInvalidMagic();
            }
            return false;
        }
        Span<byte> bytes = stackalloc byte[TcpProtocol.PreambleSize];
        buffer.Slice(0, TcpProtocol.PreambleSize).CopyTo(bytes);
        if (!bytes[..4].SequenceEqual(TcpProtocol.Magic))
        {
            ThrowInvalidMagic();
        }
        // magic (4) | version (1) | flags (1, ignored) | reserved (2, ignored) | max frame size (4)
        var version = bytes[4];
        if (version != TcpProtocol.Version)
        {
            ProtocolException.Throw(GoAwayCode.UnsupportedVersion, $"this peer speaks version {TcpProtocol.Version}, received version {version}");
        }
        var maxFrameSize = BinaryPrimitives.ReadUInt32BigEndian(bytes[8..]);
        if (maxFrameSize < TcpProtocol.MinPeerMaxFrameSize)
        {
            ProtocolException.Throw($"the preamble's max frame size {maxFrameSize} is below the minimum {TcpProtocol.MinPeerMaxFrameSize}");
        }
        preamble = new Preamble(version, (int)Math.Min(maxFrameSize, int.MaxValue));
        buffer = buffer.Slice(TcpProtocol.PreambleSize);
        return true;
    }

    /// <summary>
    /// Reads and validates a frame header (without consuming it). Validation happens here, before the
    /// payload is awaited: an oversize length or an unknown type is refused from 10 bytes alone.
    /// </summary>
    public static bool TryReadFrameHeader(in ReadOnlySequence<byte> buffer, int maxFrameSize, out FrameHeader header)
    {
        if (buffer.Length < TcpProtocol.FrameHeaderSize)
        {
            header = default;
            return false;
        }
        Span<byte> bytes = stackalloc byte[TcpProtocol.FrameHeaderSize];
        var first = buffer.FirstSpan;
        if (first.Length >= TcpProtocol.FrameHeaderSize)
        {
            first[..TcpProtocol.FrameHeaderSize].CopyTo(bytes);
        }
        else
        {
            // The header straddles segments, as when it arrived split across reads.
            buffer.Slice(0, TcpProtocol.FrameHeaderSize).CopyTo(bytes);
        }

        // length u32 | type u8 | flags u8 | stream id u32
        var length = BinaryPrimitives.ReadUInt32BigEndian(bytes);
        var type = (FrameType)bytes[4];
        var flags = bytes[5];
        var streamId = BinaryPrimitives.ReadUInt32BigEndian(bytes[6..]);

        if (length > (uint)maxFrameSize)
        {
            ProtocolException.Throw(GoAwayCode.FrameTooLarge, $"a {type} frame of {length} bytes exceeds the maximum frame size of {maxFrameSize} bytes");
        }
        if (streamId > TcpProtocol.MaxStreamId)
        {
            ProtocolException.Throw("the reserved top bit of the stream id is set");
        }
        switch (type)
        {
            case FrameType.Request or FrameType.Response or FrameType.Error or FrameType.StreamData or FrameType.StreamEnd:
                RequireStream(type, streamId);
                break;
            case FrameType.Cancel:
                RequireStream(type, streamId);
                RequireLength(type, length, 0);
                break;
            case FrameType.Ping or FrameType.Pong:
                RequireConnection(type, streamId);
                RequireLength(type, length, TcpProtocol.PingPayloadSize);
                break;
            case FrameType.GoAway:
                RequireConnection(type, streamId);
                if (length < TcpProtocol.GoAwayMinPayloadSize)
                {
                    ProtocolException.Throw($"a GOAWAY frame of {length} bytes is shorter than {TcpProtocol.GoAwayMinPayloadSize}");
                }
                break;
            case FrameType.WindowUpdate:
                RequireLength(type, length, 4);
                break;
            default:
                ProtocolException.Throw($"unknown frame type 0x{(byte)type:X2}");
                break;
        }
        header = new FrameHeader((int)length, type, flags, streamId);
        return true;
    }

    /// <summary>Parses a call payload's header block; returns the body that follows it.</summary>
    public static ReadOnlySequence<byte> ReadCallPayload(in ReadOnlySequence<byte> payload, ref HeaderBlock headers, Utf8StringCache? cache)
    {
        var first = payload.FirstSpan;
        if (payload.IsSingleSegment)
        {
            return payload.Slice(ReadHeaderBlock(first, ref headers, cache));
        }
        // The frame spans two of the reader's buffers (rare): parse the block from one span, the
        // first segment when it holds the whole block, else a copy (bounded by the received frame).
        Span<byte> prefix = stackalloc byte[MaxVarintLength];
        var prefixLength = (int)Math.Min(payload.Length, MaxVarintLength);
        payload.Slice(0, prefixLength).CopyTo(prefix);
        var position = 0;
        var blockLength = ReadVarint(prefix[..prefixLength], ref position);
        if (blockLength > (ulong)(payload.Length - position))
        {
            ThrowBlockPastFrame(blockLength);
        }
        var total = position + (int)blockLength;
        if (total <= first.Length)
        {
            return payload.Slice(ReadHeaderBlock(first, ref headers, cache));
        }
        var copy = ArrayPool<byte>.Shared.Rent(total);
        try
        {
            payload.Slice(0, total).CopyTo(copy);
            ReadHeaderBlock(copy.AsSpan(0, total), ref headers, cache);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(copy);
        }
        return payload.Slice(total);
    }

    /// <summary>Parses a header-block length varint and the block; returns the bytes consumed.</summary>
    private static int ReadHeaderBlock(ReadOnlySpan<byte> span, ref HeaderBlock headers, Utf8StringCache? cache)
    {
        var position = 0;
        var blockLength = ReadVarint(span, ref position);
        if (blockLength > (ulong)(span.Length - position))
        {
            ThrowBlockPastFrame(blockLength);
        }
        var blockEnd = position + (int)blockLength;
        var block = span[..blockEnd];
        uint seen = 0;
        while (position < blockEnd)
        {
            var key = ReadVarint(block, ref position);
            if (key == (uint)HeaderKey.User)
            {
                var name = ReadString(block, ref position, null);
                if (name.Length == 0)
                {
                    ProtocolException.Throw("a user header has an empty name");
                }
                var value = ReadString(block, ref position, null);
                (headers.Metadata ??= new Metadata())[name] = value;
                continue;
            }
            if (key is > 0 and < 32)
            {
                var bit = 1u << (int)key;
                if ((seen & bit) != 0)
                {
                    ProtocolException.Throw($"the well-known header {(HeaderKey)key} appears twice");
                }
                seen |= bit;
            }
            switch ((HeaderKey)key)
            {
                case HeaderKey.Service: headers.Service = ReadString(block, ref position, cache); break;
                case HeaderKey.Endpoint: headers.Endpoint = ReadString(block, ref position, cache); break;
                case HeaderKey.Id: headers.Id = ReadString(block, ref position, null); break;
                case HeaderKey.ContentType: headers.ContentType = ReadString(block, ref position, cache); break;
                case HeaderKey.Error: headers.Error = ReadString(block, ref position, null); break;
                case HeaderKey.Timeout:
                    var length = ReadLength(block, ref position);
                    var valueEnd = position + length;
                    headers.TimeoutMilliseconds = ReadVarint(block, ref position);
                    if (position != valueEnd)
                    {
                        ProtocolException.Throw("the Micro-Timeout value's length does not match its varint");
                    }
                    break;
                default:
                    // A well-known key from a later version: skip it, it is length-prefixed (§4).
                    position += ReadLength(block, ref position);
                    break;
            }
        }
        return blockEnd;
    }

    private static void ThrowBlockPastFrame(uint blockLength) =>
        ProtocolException.Throw($"the header block length {blockLength} runs past the end of the frame");

    /// <summary>
    /// Parses a STREAM_END payload (§3.5): empty (no trailers), or a header-block length varint and a
    /// header block that ends exactly where the payload ends.
    /// </summary>
    public static void ReadTrailers(in ReadOnlySequence<byte> payload, ref HeaderBlock headers)
    {
        if (payload.IsEmpty)
        {
            return;
        }
        var rest = ReadCallPayload(payload, ref headers, null);
        if (!rest.IsEmpty)
        {
            ProtocolException.Throw("a STREAM_END carries bytes after its trailers");
        }
    }

    /// <summary>Reads a WINDOW_UPDATE increment (§3.10): 1 … 2^31 − 1.</summary>
    public static uint ReadWindowUpdate(in ReadOnlySequence<byte> payload)
    {
        Span<byte> bytes = stackalloc byte[TcpProtocol.WindowUpdatePayloadSize];
        payload.Slice(0, TcpProtocol.WindowUpdatePayloadSize).CopyTo(bytes);
        var increment = BinaryPrimitives.ReadUInt32BigEndian(bytes);
        if (increment is 0 or > (uint)TcpProtocol.MaxWindow)
        {
            ProtocolException.Throw($"a WINDOW_UPDATE increment of {increment} is outside 1 … 2^31 − 1");
        }
        return increment;
    }

    /// <summary>Reads a GOAWAY payload: <c>last stream id u32 | code u32 | reason</c>.</summary>
    public static (uint LastStreamId, GoAwayCode Code, string Reason) ReadGoAway(in ReadOnlySequence<byte> payload)
    {
        Span<byte> fixedPart = stackalloc byte[TcpProtocol.GoAwayMinPayloadSize];
        payload.Slice(0, TcpProtocol.GoAwayMinPayloadSize).CopyTo(fixedPart);
        var reasonBytes = payload.Slice(TcpProtocol.GoAwayMinPayloadSize);
        if (reasonBytes.Length > TcpProtocol.GoAwayMaxReasonSize)
        {
            reasonBytes = reasonBytes.Slice(0, TcpProtocol.GoAwayMaxReasonSize);
        }
        // Lenient on purpose: the reason is for logs only, and a cut may split a character.
        var reason = Encoding.UTF8.GetString(reasonBytes);
        return (BinaryPrimitives.ReadUInt32BigEndian(fixedPart), (GoAwayCode)BinaryPrimitives.ReadUInt32BigEndian(fixedPart[4..]), reason);
    }

    private const int MaxVarintLength = 5;

    private static uint ReadVarint(ReadOnlySpan<byte> span, ref int position)
    {
        uint value = 0;
        for (var shift = 0; shift < 35; shift += 7)
        {
            if ((uint)position >= (uint)span.Length)
            {
                ProtocolException.Throw("a varint runs past the end of the frame");
            }
            var b = span[position++];
            if (shift == 28 && b > 0x0F)
            {
                ProtocolException.Throw("a varint is larger than 32 bits");
            }
            value |= (uint)(b & 0x7F) << shift;
            if ((b & 0x80) == 0)
            {
                return value;
            }
        }
        ProtocolException.Throw("a varint is longer than 5 bytes");
        return 0;
    }

    /// <summary>A value's length varint, checked against the rest of <paramref name="block"/> (the header block).</summary>
    private static int ReadLength(ReadOnlySpan<byte> block, ref int position)
    {
        var length = ReadVarint(block, ref position);
        if (length > (ulong)(block.Length - position))
        {
            ProtocolException.Throw($"a header value of {length} bytes runs past the end of the header block");
        }
        return (int)length;
    }

    private static string ReadString(ReadOnlySpan<byte> block, ref int position, Utf8StringCache? cache)
    {
        var length = ReadLength(block, ref position);
        if (length == 0)
        {
            return string.Empty;
        }
        var bytes = block.Slice(position, length);
        var value = cache is not null ? cache.GetOrAdd(bytes) : DecodeStrict(bytes);
        position += length;
        return value;
    }

    /// <summary>
    /// Decodes a header value, refusing invalid UTF-8. Validated up front rather than by a throwing
    /// <c>UTF8Encoding</c>, so bad bytes cost one exception (the protocol error), not two.
    /// </summary>
    internal static string DecodeStrict(ReadOnlySpan<byte> utf8)
    {
        if (!Utf8.IsValid(utf8))
        {
            ProtocolException.Throw("a header holds invalid UTF-8");
        }
        return Encoding.UTF8.GetString(utf8);
    }

    private static void RequireStream(FrameType type, uint streamId)
    {
        if (streamId == 0)
        {
            ProtocolException.Throw($"a {type} frame arrived on stream 0");
        }
    }

    private static void RequireConnection(FrameType type, uint streamId)
    {
        if (streamId != 0)
        {
            ProtocolException.Throw($"a {type} frame arrived on stream {streamId} instead of stream 0");
        }
    }

    private static void RequireLength(FrameType type, uint length, int expected)
    {
        if (length != expected)
        {
            ProtocolException.Throw($"a {type} frame has {length} payload bytes instead of {expected}");
        }
    }

    private static void ThrowInvalidMagic() =>
        throw new ProtocolException(GoAwayCode.ProtocolError, "invalid preamble: the peer does not speak the MicroGen protocol (no MGEN magic)", sendGoAway: false);
}

/// <summary>
/// Reuses the strings a connection sees again and again (service, endpoint and content-type names),
/// so the read loop does not allocate them per call. Used by one read loop only: not thread-safe.
/// </summary>
internal sealed class Utf8StringCache
{
    private const int Capacity = 32;
    private const int MaxLength = 128;
    private readonly byte[][] _keys = new byte[Capacity][];
    private readonly string[] _values = new string[Capacity];
    private int _count;
    private int _next;

    public string GetOrAdd(ReadOnlySpan<byte> utf8)
    {
        for (var i = 0; i < _count; i++)
        {
            if (utf8.SequenceEqual(_keys[i]))
            {
                return _values[i];
            }
        }
        var value = FrameReader.DecodeStrict(utf8);
        if (utf8.Length <= MaxLength)
        {
            // Round-robin replacement: a peer cycling through many names only costs the allocation it saves.
            _keys[_next] = utf8.ToArray();
            _values[_next] = value;
            _next = (_next + 1) % Capacity;
            _count = Math.Max(_count, _next == 0 ? Capacity : _next);
        }
        return value;
    }
}
