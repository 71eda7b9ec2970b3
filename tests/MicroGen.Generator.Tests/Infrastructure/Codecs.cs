using System;
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

    /// <summary>
    /// The <see cref="DateTime"/> a codec hands back for <paramref name="value"/>, as documented
    /// (README, "Codecs"): MessagePack's timestamp is UTC by definition, so a Local value is
    /// converted to UTC and an Unspecified one is taken as UTC, both arriving with Kind Utc; JSON
    /// (ISO 8601 with <c>Z</c>, an offset or neither) keeps the Kind, a Local value arriving as the
    /// same instant in the reader's zone.
    /// </summary>
    public static DateTime Carried(ICodec codec, DateTime value) => codec switch
    {
        MessagePackCodec => value.Kind == DateTimeKind.Local ? value.ToUniversalTime() : DateTime.SpecifyKind(value, DateTimeKind.Utc),
        JsonCodec => value.Kind == DateTimeKind.Local ? value.ToUniversalTime().ToLocalTime() : value,
        _ => value,
    };
}
