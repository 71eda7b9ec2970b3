using System;
using System.Buffers;
using System.Buffers.Text;
using Google.Protobuf;
using MessagePack;
using MessagePack.Formatters;

namespace MicroGen.Codec;

internal static class BuiltinFormatters
{
    /// <summary>
    /// The routine for <see cref="Empty"/>, a primitive (string included), <see cref="Guid"/>, a
    /// date, <see cref="TimeSpan"/> or <c>byte[]</c>, else null.
    /// </summary>
    public static IMessagePackFormatter<T>? Get<T>() =>
        typeof(T) == typeof(Empty) ? (IMessagePackFormatter<T>)(object)EmptyFormatter.Instance
        : typeof(T) == typeof(Guid) ? (IMessagePackFormatter<T>)(object)GuidRoutine.Instance
        : typeof(T) == typeof(DateTime) ? (IMessagePackFormatter<T>)(object)DateTimeRoutine.Instance
        : typeof(T) == typeof(DateTimeOffset) ? (IMessagePackFormatter<T>)(object)DateTimeOffsetRoutine.Instance
        : typeof(T) == typeof(TimeSpan) ? (IMessagePackFormatter<T>)(object)TimeSpanRoutine.Instance
        : typeof(T) == typeof(byte[]) ? (IMessagePackFormatter<T>)(object)BytesRoutine.Instance
        : PrimitiveRoutine<T>.Instance;

    // The leaf routines below write the same bytes as MessagePack's built-in formatters of the same
    // types (a test compares them), so either side of a call may use either.

    /// <summary>The 36-character "D" form as a string.</summary>
    private sealed class GuidRoutine : MessagePackRoutine<Guid>
    {
        public static readonly GuidRoutine Instance = new();

        public override void Write(ref MessagePackWriter writer, Guid value)
        {
            writer.WriteStringHeader(36);
            Utf8Formatter.TryFormat(value, writer.GetSpan(36), out _, 'D');
            writer.Advance(36);
        }

        public override Guid Read(ref MessagePackReader reader, int maximumDepth)
        {
            var text = reader.ReadStringSequence() ?? throw new MessagePackSerializationException("a Guid cannot be nil");
            Span<byte> bytes = stackalloc byte[36];
            if (text.Length != 36)
            {
                throw new MessagePackSerializationException($"a Guid is 36 characters, not {text.Length}");
            }
            text.CopyTo(bytes);
            return Utf8Parser.TryParse(bytes, out Guid value, out var consumed, 'D') && consumed == 36
                ? value
                : throw new MessagePackSerializationException("not a Guid in its 36-character form");
        }
    }

    /// <summary>A MessagePack timestamp (see <see cref="MessagePackCodec"/> on kinds).</summary>
    private sealed class DateTimeRoutine : MessagePackRoutine<DateTime>
    {
        public static readonly DateTimeRoutine Instance = new();

        public override void Write(ref MessagePackWriter writer, DateTime value) => writer.Write(value);

        public override DateTime Read(ref MessagePackReader reader, int maximumDepth) => reader.ReadDateTime();
    }

    /// <summary>[its clock time as a UTC timestamp, its offset in minutes].</summary>
    private sealed class DateTimeOffsetRoutine : MessagePackRoutine<DateTimeOffset>
    {
        public static readonly DateTimeOffsetRoutine Instance = new();

        public override void Write(ref MessagePackWriter writer, DateTimeOffset value)
        {
            writer.WriteArrayHeader(2);
            writer.Write(new DateTime(value.Ticks, DateTimeKind.Utc));
            writer.Write((short)value.Offset.TotalMinutes);
        }

        public override DateTimeOffset Read(ref MessagePackReader reader, int maximumDepth)
        {
            if (reader.ReadArrayHeader() != 2)
            {
                throw new MessagePackSerializationException("a DateTimeOffset is an array of 2");
            }
            var clock = reader.ReadDateTime();
            var minutes = reader.ReadInt16();
            return new DateTimeOffset(clock.Ticks, TimeSpan.FromMinutes(minutes));
        }
    }

    /// <summary>Its ticks.</summary>
    private sealed class TimeSpanRoutine : MessagePackRoutine<TimeSpan>
    {
        public static readonly TimeSpanRoutine Instance = new();

        public override void Write(ref MessagePackWriter writer, TimeSpan value) => writer.Write(value.Ticks);

        public override TimeSpan Read(ref MessagePackReader reader, int maximumDepth) => new(reader.ReadInt64());
    }

    /// <summary>A bin, or nil.</summary>
    private sealed class BytesRoutine : MessagePackRoutine<byte[]?>
    {
        public static readonly BytesRoutine Instance = new();

        public override void Write(ref MessagePackWriter writer, byte[]? value) => writer.Write(value);

        public override byte[]? Read(ref MessagePackReader reader, int maximumDepth) => reader.ReadBytes()?.ToArray();
    }

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
