using System;
using System.Buffers;
using BenchmarkDotNet.Attributes;
using MicroGen.Testing;
using MicroGen.Transport;
using MicroGen.Transport.Internal;

namespace MicroGen.Bench.Micro;

/// <summary>
/// The TCP transport's framing of one REQUEST as a client sends it and a server reads it: encode
/// (size, header, header block, body into a reused writer), and decode (frame header, header block
/// with the connection's string cache, body slice) from one buffer or from two, split inside the
/// header block as when a frame crosses the reader's buffers.
/// </summary>
[MemoryDiagnoser]
public class FrameBenchmarks
{
    private const int MaxFrameSize = 4 * 1024 * 1024;

    private readonly ArrayBufferWriter<byte> _writer = new(8192);
    private readonly Utf8StringCache _cache = new();
    private TransportRequest _request;
    private ReadOnlySequence<byte> _frame;
    private ReadOnlySequence<byte> _splitFrame;

    /// <summary>Request body bytes.</summary>
    [Params(16, 4096)]
    public int Body { get; set; }

    /// <summary>Whether the call carries two user metadata entries (decoded into fresh strings).</summary>
    [Params(false, true)]
    public bool WithMetadata { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _request = new TransportRequest
        {
            Service = "greeter",
            Endpoint = "Greeter.SayHello",
            ContentType = "application/msgpack",
            Timeout = TimeSpan.FromSeconds(30),
            Metadata = WithMetadata ? new Metadata().Set("Trace-Id", "4bf92f3577b34da6a3ce929d0e0e4736").Set("User", "ann") : null,
            Body = new ReadOnlySequence<byte>(new byte[Body]),
        };
        Encode();
        var bytes = _writer.WrittenSpan.ToArray();
        _frame = new ReadOnlySequence<byte>(bytes);
        _splitFrame = Sequences.Split(bytes, TcpProtocol.FrameHeaderSize + 12); // inside the header block
        if (Decode(_frame) != Body || Decode(_splitFrame) != Body)
        {
            throw new InvalidOperationException("the frame did not decode to its body");
        }
    }

    [Benchmark]
    public int Encode()
    {
        _writer.ResetWrittenCount();
        var length = FrameWriter.MeasureRequest(_request, out var blockLength);
        FrameWriter.WriteRequest(_writer, 1, _request, blockLength, (int)length);
        return _writer.WrittenCount;
    }

    [Benchmark]
    public long DecodeOneBuffer() => Decode(_frame);

    [Benchmark]
    public long DecodeSplitBuffers() => Decode(_splitFrame);

    private long Decode(in ReadOnlySequence<byte> buffer)
    {
        if (!FrameReader.TryReadFrameHeader(buffer, MaxFrameSize, out var header))
        {
            throw new InvalidOperationException("incomplete frame");
        }
        var payload = buffer.Slice(TcpProtocol.FrameHeaderSize, header.Length);
        var headers = default(HeaderBlock);
        return FrameReader.ReadCallPayload(payload, ref headers, _cache).Length;
    }
}
