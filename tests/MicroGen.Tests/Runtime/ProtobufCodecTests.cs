using System.Buffers;
using MicroGen.Codec;
using MicroGen.Internal;
using MicroGen.Tests.Protos;
using NUnit.Framework;

namespace MicroGen.Tests.Runtime;

/// <summary>
/// The protobuf codec writes a message into one span of its measured size: long strings, empty
/// messages and writers that start small all round-trip.
/// </summary>
[TestFixture]
public sealed class ProtobufCodecTests
{
    [OneTimeSetUp]
    public void RegisterParsers() => ProtobufCodec.Register(PingReply.Parser);

    [TestCase(0)]
    [TestCase(1)]
    [TestCase(300)]
    [TestCase(5000)]
    [TestCase(70000)]
    public void Serialize_StringOfLength_RoundTripsThroughPooledWriter(int length)
    {
        var message = new PingReply { Message = new string('x', length) };
        message.Numbers.Add(new[] { 1, -2, int.MaxValue });
        using var writer = new PooledBufferWriter();

        ProtobufCodec.Instance.Serialize(writer, message);

        Assert.That(writer.WrittenCount, Is.EqualTo(message.CalculateSize()));
        Assert.That(ProtobufCodec.Instance.Deserialize<PingReply>(writer.WrittenSequence), Is.EqualTo(message));
    }

    [Test]
    public void Serialize_EmptyMessage_WritesNothingAndReadsBack()
    {
        var writer = new ArrayBufferWriter<byte>();

        ProtobufCodec.Instance.Serialize(writer, new PingReply());

        Assert.That(writer.WrittenCount, Is.Zero);
        Assert.That(ProtobufCodec.Instance.Deserialize<PingReply>(new ReadOnlySequence<byte>(writer.WrittenMemory)), Is.EqualTo(new PingReply()));
    }

    [Test]
    public void Serialize_AfterOtherBytes_AppendsAtTheEnd()
    {
        var writer = new ArrayBufferWriter<byte>();
        writer.Write(new byte[] { 0xAA, 0xBB });
        var message = new PingReply { Message = "hello" };

        ProtobufCodec.Instance.Serialize(writer, message);

        var written = writer.WrittenSpan;
        Assert.That(written[0], Is.EqualTo(0xAA));
        Assert.That(written[1], Is.EqualTo(0xBB));
        Assert.That(PingReply.Parser.ParseFrom(written[2..].ToArray()), Is.EqualTo(message));
    }
}
