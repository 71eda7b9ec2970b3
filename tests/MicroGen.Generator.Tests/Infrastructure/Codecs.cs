using System.Buffers;
using MicroGen.Codec;

namespace MicroGen.Generator.Tests.Infrastructure;

/// <summary>Encodes and decodes through a codec the way the transport does: into a buffer writer, back from a sequence.</summary>
internal static class Codecs
{
    public static readonly ICodec[] All = [MessagePackCodec.Instance, JsonCodec.Instance];

    public static byte[] Encode<T>(ICodec codec, T value)
    {
        var writer = new ArrayBufferWriter<byte>();
        codec.Serialize(writer, value);
        return writer.WrittenSpan.ToArray();
    }

    public static T Decode<T>(ICodec codec, byte[] bytes) => codec.Deserialize<T>(new ReadOnlySequence<byte>(bytes));

    public static T RoundTrip<T>(ICodec codec, T value) => Decode<T>(codec, Encode(codec, value));
}
