using System;
using System.Buffers;
using System.Buffers.Binary;
using System.Text;

namespace MicroGen.Transport.Internal;

/// <summary>
/// Writes the wire format (<c>docs/PROTOCOL.md</c>) into an <see cref="IBufferWriter{T}"/>, which
/// is a connection's output pipe: frames go straight into pooled pipe memory, and the send loop
/// coalesces whatever has accumulated into as few socket sends as it can.
/// </summary>
internal static class FrameWriter
{
    private static readonly Encoding s_utf8 = Encoding.UTF8;

    public static void WritePreamble(IBufferWriter<byte> writer, int maxFrameSize)
    {
        // magic (4) | version (1) | flags (1) | reserved (2) | max frame size (4)
        var span = writer.GetSpan(TcpProtocol.PreambleSize);
        TcpProtocol.Magic.CopyTo(span);
        span[4] = TcpProtocol.Version;
        span[5] = 0;
        span[6] = 0;
        span[7] = 0;
        BinaryPrimitives.WriteUInt32BigEndian(span[8..], (uint)maxFrameSize);
        writer.Advance(TcpProtocol.PreambleSize);
    }

    public static void WriteFrameHeader(Span<byte> destination, int length, FrameType type, byte flags, uint streamId)
    {
        // length u32 | type u8 | flags u8 | stream id u32
        BinaryPrimitives.WriteUInt32BigEndian(destination, (uint)length);
        destination[4] = (byte)type;
        destination[5] = flags;
        BinaryPrimitives.WriteUInt32BigEndian(destination[6..], streamId);
    }

    public static void WritePing(IBufferWriter<byte> writer, FrameType type, ulong payload)
    {
        var span = writer.GetSpan(TcpProtocol.FrameHeaderSize + TcpProtocol.PingPayloadSize);
        WriteFrameHeader(span, TcpProtocol.PingPayloadSize, type, 0, 0);
        BinaryPrimitives.WriteUInt64BigEndian(span[TcpProtocol.FrameHeaderSize..], payload);
        writer.Advance(TcpProtocol.FrameHeaderSize + TcpProtocol.PingPayloadSize);
    }

    public static void WriteCancel(IBufferWriter<byte> writer, uint streamId)
    {
        var span = writer.GetSpan(TcpProtocol.FrameHeaderSize);
        WriteFrameHeader(span, 0, FrameType.Cancel, 0, streamId);
        writer.Advance(TcpProtocol.FrameHeaderSize);
    }

    public static void WriteGoAway(IBufferWriter<byte> writer, uint lastStreamId, GoAwayCode code, string reason)
    {
        var reasonLength = Math.Min(s_utf8.GetByteCount(reason), TcpProtocol.GoAwayMaxReasonSize);
        var payloadLength = TcpProtocol.GoAwayMinPayloadSize + reasonLength;
        var span = writer.GetSpan(TcpProtocol.FrameHeaderSize + payloadLength + 4);
        WriteFrameHeader(span, payloadLength, FrameType.GoAway, 0, 0);
        // last stream id u32 | code u32 | reason
        BinaryPrimitives.WriteUInt32BigEndian(span[TcpProtocol.FrameHeaderSize..], lastStreamId);
        BinaryPrimitives.WriteUInt32BigEndian(span[(TcpProtocol.FrameHeaderSize + 4)..], (uint)code);
        var reasonSpan = span.Slice(TcpProtocol.FrameHeaderSize + TcpProtocol.GoAwayMinPayloadSize, reasonLength);
        if (!s_utf8.TryGetBytes(reason, reasonSpan, out _))
        {
            // The reason was cut at GoAwayMaxReasonSize: encode as much as fits, by characters.
            var encoder = s_utf8.GetEncoder();
            encoder.Convert(reason, reasonSpan, flush: true, out _, out var used, out _);
            reasonSpan[used..].Fill((byte)' ');
        }
        writer.Advance(TcpProtocol.FrameHeaderSize + payloadLength);
    }

    /// <summary>Sizes a REQUEST payload; returns its length (which may exceed any frame limit).</summary>
    public static long MeasureRequest(TransportRequest request, out int blockLength)
    {
        long block = MeasureString(request.Service) + MeasureString(request.Endpoint) + MeasureString(request.ContentType);
        if (request.Id is { } id)
        {
            block += MeasureString(id);
        }
        if (request.Timeout is { } timeout)
        {
            var varint = VarintSize(TimeoutMilliseconds(timeout));
            block += 1 + VarintSize((uint)varint) + varint;
        }
        block += MeasureMetadata(request.Metadata);
        blockLength = (int)Math.Min(block, int.MaxValue);
        return VarintSize((uint)blockLength) + block + request.Body.Length;
    }

    public static void WriteRequest(IBufferWriter<byte> writer, uint streamId, TransportRequest request, int blockLength, int payloadLength, byte flags = 0)
    {
        var headLength = TcpProtocol.FrameHeaderSize + VarintSize((uint)blockLength) + blockLength;
        var span = writer.GetSpan(headLength);
        WriteFrameHeader(span, payloadLength, FrameType.Request, flags, streamId);
        var block = new SpanWriter(span[TcpProtocol.FrameHeaderSize..headLength]);
        block.WriteVarint((uint)blockLength);
        block.WriteString(HeaderKey.Service, request.Service);
        block.WriteString(HeaderKey.Endpoint, request.Endpoint);
        if (request.Id is { } id)
        {
            block.WriteString(HeaderKey.Id, id);
        }
        block.WriteString(HeaderKey.ContentType, request.ContentType);
        if (request.Timeout is { } timeout)
        {
            var milliseconds = TimeoutMilliseconds(timeout);
            block.WriteVarint((uint)HeaderKey.Timeout);
            block.WriteVarint((uint)VarintSize(milliseconds));
            block.WriteVarint(milliseconds);
        }
        block.WriteMetadata(request.Metadata);
        writer.Advance(headLength);
        WriteBody(writer, request.Body);
    }

    /// <summary>Sizes a RESPONSE payload.</summary>
    public static long MeasureResponse(TransportResponse response, out int blockLength)
    {
        long block = MeasureString(response.ContentType) + MeasureMetadata(response.Metadata);
        blockLength = (int)Math.Min(block, int.MaxValue);
        return VarintSize((uint)blockLength) + block + response.Body.Length;
    }

    public static void WriteResponse(IBufferWriter<byte> writer, uint streamId, TransportResponse response, int blockLength, int payloadLength)
    {
        var headLength = TcpProtocol.FrameHeaderSize + VarintSize((uint)blockLength) + blockLength;
        var span = writer.GetSpan(headLength);
        WriteFrameHeader(span, payloadLength, FrameType.Response, 0, streamId);
        var block = new SpanWriter(span[TcpProtocol.FrameHeaderSize..headLength]);
        block.WriteVarint((uint)blockLength);
        block.WriteString(HeaderKey.ContentType, response.ContentType);
        block.WriteMetadata(response.Metadata);
        writer.Advance(headLength);
        WriteBody(writer, response.Body);
    }

    /// <summary>Sizes an ERROR payload carrying <paramref name="errorJson"/>.</summary>
    public static long MeasureError(string errorJson, Metadata? metadata, out int blockLength)
    {
        long block = MeasureString(errorJson) + MeasureMetadata(metadata);
        blockLength = (int)Math.Min(block, int.MaxValue);
        return VarintSize((uint)blockLength) + block;
    }

    public static void WriteError(IBufferWriter<byte> writer, uint streamId, byte flags, string errorJson, Metadata? metadata, int blockLength, int payloadLength)
    {
        var length = TcpProtocol.FrameHeaderSize + payloadLength;
        var span = writer.GetSpan(length);
        WriteFrameHeader(span, payloadLength, FrameType.Error, flags, streamId);
        var block = new SpanWriter(span[TcpProtocol.FrameHeaderSize..length]);
        block.WriteVarint((uint)blockLength);
        block.WriteString(HeaderKey.Error, errorJson);
        block.WriteMetadata(metadata);
        writer.Advance(length);
    }

    /// <summary>
    /// Writes the RESPONSE that accepts a stream (§8.1): flag <c>OPEN_STREAM</c>, a header block
    /// holding only <c>Content-Type</c>, no body.
    /// </summary>
    public static void WriteStreamAccept(IBufferWriter<byte> writer, uint streamId, string contentType)
    {
        var blockLength = (int)MeasureString(contentType);
        var payloadLength = VarintSize((uint)blockLength) + blockLength;
        var length = TcpProtocol.FrameHeaderSize + payloadLength;
        var span = writer.GetSpan(length);
        WriteFrameHeader(span, payloadLength, FrameType.Response, FrameFlags.OpenStream, streamId);
        var block = new SpanWriter(span[TcpProtocol.FrameHeaderSize..length]);
        block.WriteVarint((uint)blockLength);
        block.WriteString(HeaderKey.ContentType, contentType);
        writer.Advance(length);
    }

    /// <summary>Writes a STREAM_DATA frame (§3.4): the header, then the message as it is.</summary>
    public static void WriteStreamData(IBufferWriter<byte> writer, uint streamId, ReadOnlySpan<byte> message)
    {
        var span = writer.GetSpan(TcpProtocol.FrameHeaderSize);
        WriteFrameHeader(span, message.Length, FrameType.StreamData, 0, streamId);
        writer.Advance(TcpProtocol.FrameHeaderSize);
        writer.Write(message);
    }

    /// <summary>Sizes a STREAM_END payload: 0 without trailers, else the header-block length varint and the block (§3.5).</summary>
    public static long MeasureStreamEnd(string? errorJson, Metadata? metadata, out int blockLength)
    {
        long block = (errorJson is null ? 0 : MeasureString(errorJson)) + MeasureMetadata(metadata);
        blockLength = (int)Math.Min(block, int.MaxValue);
        return block == 0 ? 0 : VarintSize((uint)blockLength) + block;
    }

    public static void WriteStreamEnd(IBufferWriter<byte> writer, uint streamId, string? errorJson, Metadata? metadata, int blockLength, int payloadLength)
    {
        var length = TcpProtocol.FrameHeaderSize + payloadLength;
        var span = writer.GetSpan(length);
        WriteFrameHeader(span, payloadLength, FrameType.StreamEnd, 0, streamId);
        if (payloadLength > 0)
        {
            var block = new SpanWriter(span[TcpProtocol.FrameHeaderSize..length]);
            block.WriteVarint((uint)blockLength);
            if (errorJson is not null)
            {
                block.WriteString(HeaderKey.Error, errorJson);
            }
            block.WriteMetadata(metadata);
        }
        writer.Advance(length);
    }

    /// <summary>WINDOW_UPDATE | increment u32 (§3.10).</summary>
    public static void WriteWindowUpdate(IBufferWriter<byte> writer, uint streamId, uint increment)
    {
        const int length = TcpProtocol.FrameHeaderSize + TcpProtocol.WindowUpdatePayloadSize;
        var span = writer.GetSpan(length);
        WriteFrameHeader(span, TcpProtocol.WindowUpdatePayloadSize, FrameType.WindowUpdate, 0, streamId);
        BinaryPrimitives.WriteUInt32BigEndian(span[TcpProtocol.FrameHeaderSize..], increment);
        writer.Advance(length);
    }

    public static int VarintSize(uint value) => value switch
    {
        < 1u << 7 => 1,
        < 1u << 14 => 2,
        < 1u << 21 => 3,
        < 1u << 28 => 4,
        _ => 5,
    };

    /// <summary><c>Micro-Timeout</c> is whole milliseconds, rounded up, at least 1 (§4).</summary>
    public static uint TimeoutMilliseconds(TimeSpan timeout)
    {
        if (timeout <= TimeSpan.Zero)
        {
            return 1;
        }
        var milliseconds = (timeout.Ticks + TimeSpan.TicksPerMillisecond - 1) / TimeSpan.TicksPerMillisecond;
        return (uint)Math.Min(milliseconds, uint.MaxValue);
    }

    private static void WriteBody(IBufferWriter<byte> writer, in ReadOnlySequence<byte> body)
    {
        if (body.IsSingleSegment)
        {
            writer.Write(body.FirstSpan);
            return;
        }
        foreach (var segment in body)
        {
            writer.Write(segment.Span);
        }
    }

    private static long MeasureString(string value)
    {
        var length = s_utf8.GetByteCount(value);
        return 1 + VarintSize((uint)length) + length;
    }

    private static long MeasureMetadata(Metadata? metadata)
    {
        if (metadata is null)
        {
            return 0;
        }
        long size = 0;
        foreach (var (name, value) in metadata)
        {
            var nameLength = s_utf8.GetByteCount(name);
            var valueLength = s_utf8.GetByteCount(value);
            size += 1 + VarintSize((uint)nameLength) + nameLength + VarintSize((uint)valueLength) + valueLength;
        }
        return size;
    }

    private ref struct SpanWriter(Span<byte> span)
    {
        private readonly Span<byte> _span = span;
        private int _position;

        public void WriteVarint(uint value)
        {
            while (value >= 0x80)
            {
                _span[_position++] = (byte)(value | 0x80);
                value >>= 7;
            }
            _span[_position++] = (byte)value;
        }

        public void WriteString(HeaderKey key, string value)
        {
            WriteVarint((uint)key);
            WriteUtf8(value);
        }

        public void WriteMetadata(Metadata? metadata)
        {
            if (metadata is null)
            {
                return;
            }
            foreach (var (name, value) in metadata)
            {
                WriteVarint((uint)HeaderKey.User);
                WriteUtf8(name);
                WriteUtf8(value);
            }
        }

        private void WriteUtf8(string value)
        {
            var length = s_utf8.GetByteCount(value);
            WriteVarint((uint)length);
            _position += s_utf8.GetBytes(value, _span[_position..]);
        }
    }
}
