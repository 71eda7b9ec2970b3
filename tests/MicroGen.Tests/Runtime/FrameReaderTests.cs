using System;
using System.Buffers;
using System.Linq;
using System.Text;
using MicroGen.Testing;
using MicroGen.Transport;
using MicroGen.Transport.Internal;
using NUnit.Framework;

namespace MicroGen.Tests.Runtime;

/// <summary>
/// A call payload's header block parses the same wherever the reader's buffers split the frame:
/// in the varint, inside a header value, between the block and the body, or not at all.
/// </summary>
[TestFixture]
public sealed class FrameReaderTests
{
    private static readonly byte[] s_body = Encoding.UTF8.GetBytes("the body, after the header block");

    [Test]
    public void ReadCallPayload_EverySplitIntoTwoSegments_ReadsTheSameHeadersAndBody()
    {
        var payload = RequestPayload(userHeaders: 3);
        for (var split = 1; split < payload.Length; split++)
        {
            AssertParsed(Sequences.Split(payload, split), $"split at {split}");
        }
    }

    [Test]
    public void ReadCallPayload_OneByteSegments_ReadsTheSameHeadersAndBody()
    {
        var payload = RequestPayload(userHeaders: 2);

        AssertParsed(Sequences.Split(payload, Enumerable.Range(1, payload.Length - 1).ToArray()), "one byte per segment", userHeaders: 2);
    }

    [Test]
    public void ReadCallPayload_BlockLargerThanAPooledCopy_ReadsAHeaderBlockSpanningSegments()
    {
        // 40 user headers of 200 bytes: a block of ~8 KB, split in the middle of a value.
        var payload = RequestPayload(userHeaders: 40, valueLength: 200);

        AssertParsed(Sequences.Split(payload, 3, payload.Length / 2), "three segments", userHeaders: 40, valueLength: 200);
    }

    [TestCase(1)]
    [TestCase(2)]
    [TestCase(4)]
    public void ReadCallPayload_BlockLengthPastTheFrame_ThrowsWherever(int split)
    {
        byte[] payload = [0xC8, 0x01, 1, 4, (byte)'e', (byte)'c', (byte)'h', (byte)'o']; // block length 200

        var error = Assert.Throws<ProtocolException>(() => Parse(Sequences.Split(payload, split)));

        Assert.That(error!.Message, Does.Contain("header block length 200 runs past the end of the frame"));
    }

    [TestCase(3)]
    [TestCase(6)]
    public void ReadCallPayload_ValuePastTheBlock_ThrowsWherever(int split)
    {
        // A block of 6 bytes whose Service value claims 9.
        byte[] payload = [6, 1, 9, (byte)'e', (byte)'c', (byte)'h', (byte)'o', 0, 0, 0, 0, 0];

        var error = Assert.Throws<ProtocolException>(() => Parse(Sequences.Split(payload, split)));

        Assert.That(error!.Message, Does.Contain("a header value of 9 bytes runs past the end of the header block"));
    }

    private static void AssertParsed(ReadOnlySequence<byte> payload, string because, int userHeaders = 3, int valueLength = 10)
    {
        var (headers, body) = Parse(payload);
        Assert.Multiple(() =>
        {
            Assert.That(headers.Service, Is.EqualTo("greeter"), because);
            Assert.That(headers.Endpoint, Is.EqualTo("Greeter.SayHello"), because);
            Assert.That(headers.Id, Is.EqualTo("call-7"), because);
            Assert.That(headers.ContentType, Is.EqualTo("application/msgpack"), because);
            Assert.That(headers.TimeoutMilliseconds, Is.EqualTo(1500u), because);
            Assert.That(headers.Metadata!.Count, Is.EqualTo(userHeaders), because);
            Assert.That(headers.Metadata["key-1"], Is.EqualTo(Value(1, valueLength)), because);
            Assert.That(body.ToArray(), Is.EqualTo(s_body), because);
        });
    }

    private static (HeaderBlock Headers, ReadOnlySequence<byte> Body) Parse(ReadOnlySequence<byte> payload)
    {
        var headers = default(HeaderBlock);
        var body = FrameReader.ReadCallPayload(payload, ref headers, new Utf8StringCache());
        return (headers, body);
    }

    private static byte[] RequestPayload(int userHeaders, int valueLength = 10)
    {
        var metadata = new Metadata();
        for (var i = 1; i <= userHeaders; i++)
        {
            metadata[$"key-{i}"] = Value(i, valueLength);
        }
        var request = new TransportRequest
        {
            Service = "greeter",
            Endpoint = "Greeter.SayHello",
            ContentType = "application/msgpack",
            Id = "call-7",
            Timeout = TimeSpan.FromMilliseconds(1500),
            Metadata = metadata,
            Body = new ReadOnlySequence<byte>(s_body),
        };
        var length = FrameWriter.MeasureRequest(request, out var blockLength);
        var frame = new ArrayBufferWriter<byte>();
        FrameWriter.WriteRequest(frame, 1, request, blockLength, (int)length);
        return frame.WrittenSpan[TcpProtocol.FrameHeaderSize..].ToArray();
    }

    private static string Value(int i, int length) => $"{i}:".PadRight(length, 'v');
}
