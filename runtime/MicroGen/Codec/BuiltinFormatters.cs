using System;
using System.Buffers;
using Google.Protobuf;
using MessagePack;
using MessagePack.Formatters;

namespace MicroGen.Codec;

internal static class BuiltinFormatters
{
    public static IMessagePackFormatter<T>? Get<T>() =>
        typeof(T) == typeof(Empty) ? (IMessagePackFormatter<T>)(object)EmptyFormatter.Instance : null;

    private sealed class EmptyFormatter : IMessagePackFormatter<Empty>
    {
        public static readonly EmptyFormatter Instance = new();

        public void Serialize(ref MessagePackWriter writer, Empty value, MessagePackSerializerOptions options) => writer.WriteNil();

        public Empty Deserialize(ref MessagePackReader reader, MessagePackSerializerOptions options)
        {
            // Accept nil and an empty array or map: all mean "nothing", whoever wrote them.
            if (!reader.End)
            {
                reader.Skip();
            }
            return default;
        }
    }
}

/// <summary>
/// Carries a Google.Protobuf message inside MessagePack as a <c>bin</c> holding its protobuf
/// encoding, for contracts that mix protobuf messages with other arguments.
/// </summary>
/// <typeparam name="T">The message type.</typeparam>
public sealed class ProtobufMessagePackFormatter<T> : IMessagePackFormatter<T?>
    where T : class, IMessage<T>
{
    private readonly MessageParser<T> _parser;

    /// <summary>Creates the formatter.</summary>
    /// <param name="parser">The message's generated parser (<c>T.Parser</c>).</param>
    public ProtobufMessagePackFormatter(MessageParser<T> parser) => _parser = parser;

    /// <inheritdoc/>
    public void Serialize(ref MessagePackWriter writer, T? value, MessagePackSerializerOptions options)
    {
        if (value is null)
        {
            writer.WriteNil();
            return;
        }
        var size = value.CalculateSize();
        writer.WriteBinHeader(size);
        var span = writer.GetSpan(size)[..size];
        value.WriteTo(span);
        writer.Advance(size);
    }

    /// <inheritdoc/>
    public T? Deserialize(ref MessagePackReader reader, MessagePackSerializerOptions options)
    {
        if (reader.TryReadNil())
        {
            return null;
        }
        var bytes = reader.ReadBytes() ?? ReadOnlySequence<byte>.Empty;
        try
        {
            return _parser.ParseFrom(bytes);
        }
        catch (InvalidProtocolBufferException e)
        {
            // Surface as MessagePack's error so MessagePackCodec reports a malformed body (400), as for any other bad field.
            throw new MessagePackSerializationException($"malformed protobuf message {typeof(T).Name}: {e.Message}", e);
        }
    }
}
