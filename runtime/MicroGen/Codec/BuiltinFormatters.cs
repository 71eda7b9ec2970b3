using System;
using System.Buffers;
using Google.Protobuf;
using MessagePack;
using MessagePack.Formatters;

namespace MicroGen.Codec;

internal static class BuiltinFormatters
{
    /// <summary>The routine for <see cref="Empty"/> or a primitive (string included), else null.</summary>
    public static IMessagePackFormatter<T>? Get<T>() =>
        typeof(T) == typeof(Empty) ? (IMessagePackFormatter<T>)(object)EmptyFormatter.Instance : PrimitiveRoutine<T>.Instance;

    private sealed class EmptyFormatter : MessagePackRoutine<Empty>
    {
        public static readonly EmptyFormatter Instance = new();

        public override void Write(ref MessagePackWriter writer, Empty value) => writer.WriteNil();

        public override Empty Read(ref MessagePackReader reader, int maximumDepth)
        {
            // Accept nil and an empty array or map: all mean "nothing", whoever wrote them.
            if (!reader.End)
            {
                reader.Skip();
            }
            return default;
        }
    }

    /// <summary>
    /// A primitive as a whole body (a method returning <c>int</c> or <c>string</c>), the same bytes
    /// as MessagePack's built-in formatter writes, with no options. The type tests fold away when
    /// the JIT specializes the routine for a value type.
    /// </summary>
    private sealed class PrimitiveRoutine<T> : MessagePackRoutine<T>
    {
        public static readonly PrimitiveRoutine<T>? Instance = IsPrimitive ? new() : null;

        private static bool IsPrimitive =>
            typeof(T) == typeof(string) || typeof(T) == typeof(bool) || typeof(T) == typeof(int) || typeof(T) == typeof(long)
            || typeof(T) == typeof(double) || typeof(T) == typeof(float) || typeof(T) == typeof(uint) || typeof(T) == typeof(ulong)
            || typeof(T) == typeof(short) || typeof(T) == typeof(ushort) || typeof(T) == typeof(byte) || typeof(T) == typeof(sbyte)
            || typeof(T) == typeof(char);

        public override void Write(ref MessagePackWriter writer, T value)
        {
            if (typeof(T) == typeof(string)) { writer.Write((string?)(object?)value); }
            else if (typeof(T) == typeof(bool)) { writer.Write((bool)(object)value!); }
            else if (typeof(T) == typeof(int)) { writer.Write((int)(object)value!); }
            else if (typeof(T) == typeof(long)) { writer.Write((long)(object)value!); }
            else if (typeof(T) == typeof(double)) { writer.Write((double)(object)value!); }
            else if (typeof(T) == typeof(float)) { writer.Write((float)(object)value!); }
            else if (typeof(T) == typeof(uint)) { writer.Write((uint)(object)value!); }
            else if (typeof(T) == typeof(ulong)) { writer.Write((ulong)(object)value!); }
            else if (typeof(T) == typeof(short)) { writer.Write((short)(object)value!); }
            else if (typeof(T) == typeof(ushort)) { writer.Write((ushort)(object)value!); }
            else if (typeof(T) == typeof(byte)) { writer.Write((byte)(object)value!); }
            else if (typeof(T) == typeof(sbyte)) { writer.Write((sbyte)(object)value!); }
            else { writer.Write((char)(object)value!); }
        }

        public override T Read(ref MessagePackReader reader, int maximumDepth)
        {
            if (typeof(T) == typeof(string)) { return (T)(object?)reader.ReadString()!; }
            if (typeof(T) == typeof(bool)) { return (T)(object)reader.ReadBoolean(); }
            if (typeof(T) == typeof(int)) { return (T)(object)reader.ReadInt32(); }
            if (typeof(T) == typeof(long)) { return (T)(object)reader.ReadInt64(); }
            if (typeof(T) == typeof(double)) { return (T)(object)reader.ReadDouble(); }
            if (typeof(T) == typeof(float)) { return (T)(object)reader.ReadSingle(); }
            if (typeof(T) == typeof(uint)) { return (T)(object)reader.ReadUInt32(); }
            if (typeof(T) == typeof(ulong)) { return (T)(object)reader.ReadUInt64(); }
            if (typeof(T) == typeof(short)) { return (T)(object)reader.ReadInt16(); }
            if (typeof(T) == typeof(ushort)) { return (T)(object)reader.ReadUInt16(); }
            if (typeof(T) == typeof(byte)) { return (T)(object)reader.ReadByte(); }
            if (typeof(T) == typeof(sbyte)) { return (T)(object)reader.ReadSByte(); }
            return (T)(object)reader.ReadChar();
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
