using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text.Json;

namespace MicroGen.Codec;

/// <summary>
/// Built-in <see cref="JsonRoutine{T}"/>s for primitives and collections, which generated routines
/// compose. Numbers are JSON numbers (non-finite floats as <c>"NaN"</c>, <c>"Infinity"</c>,
/// <c>"-Infinity"</c>), byte arrays base64 strings, dates ISO 8601 with their offset kept.
/// </summary>
public static class JsonRoutines
{
    /// <summary><see cref="bool"/>.</summary>
    public static JsonKeyRoutine<bool> Boolean { get; } = new Primitive<bool>(
        static (w, v) => w.WriteBooleanValue(v), static (ref Utf8JsonReader r) => r.GetBoolean(),
        static v => v ? "true" : "false", static s => bool.Parse(s));

    /// <summary><see cref="byte"/>.</summary>
    public static JsonKeyRoutine<byte> Byte { get; } = new Primitive<byte>(
        static (w, v) => w.WriteNumberValue(v), static (ref Utf8JsonReader r) => r.GetByte(), Format, static s => byte.Parse(s, CultureInfo.InvariantCulture));

    /// <summary><see cref="sbyte"/>.</summary>
    public static JsonKeyRoutine<sbyte> SByte { get; } = new Primitive<sbyte>(
        static (w, v) => w.WriteNumberValue(v), static (ref Utf8JsonReader r) => r.GetSByte(), Format, static s => sbyte.Parse(s, CultureInfo.InvariantCulture));

    /// <summary><see cref="short"/>.</summary>
    public static JsonKeyRoutine<short> Int16 { get; } = new Primitive<short>(
        static (w, v) => w.WriteNumberValue(v), static (ref Utf8JsonReader r) => r.GetInt16(), Format, static s => short.Parse(s, CultureInfo.InvariantCulture));

    /// <summary><see cref="ushort"/>.</summary>
    public static JsonKeyRoutine<ushort> UInt16 { get; } = new Primitive<ushort>(
        static (w, v) => w.WriteNumberValue(v), static (ref Utf8JsonReader r) => r.GetUInt16(), Format, static s => ushort.Parse(s, CultureInfo.InvariantCulture));

    /// <summary><see cref="int"/>.</summary>
    public static JsonKeyRoutine<int> Int32 { get; } = new Primitive<int>(
        static (w, v) => w.WriteNumberValue(v), static (ref Utf8JsonReader r) => r.GetInt32(), Format, static s => int.Parse(s, CultureInfo.InvariantCulture));

    /// <summary><see cref="uint"/>.</summary>
    public static JsonKeyRoutine<uint> UInt32 { get; } = new Primitive<uint>(
        static (w, v) => w.WriteNumberValue(v), static (ref Utf8JsonReader r) => r.GetUInt32(), Format, static s => uint.Parse(s, CultureInfo.InvariantCulture));

    /// <summary><see cref="long"/>.</summary>
    public static JsonKeyRoutine<long> Int64 { get; } = new Primitive<long>(
        static (w, v) => w.WriteNumberValue(v), static (ref Utf8JsonReader r) => r.GetInt64(), Format, static s => long.Parse(s, CultureInfo.InvariantCulture));

    /// <summary><see cref="ulong"/>.</summary>
    public static JsonKeyRoutine<ulong> UInt64 { get; } = new Primitive<ulong>(
        static (w, v) => w.WriteNumberValue(v), static (ref Utf8JsonReader r) => r.GetUInt64(), Format, static s => ulong.Parse(s, CultureInfo.InvariantCulture));

    /// <summary><see cref="float"/>.</summary>
    public static JsonKeyRoutine<float> Single { get; } = new Primitive<float>(
        static (w, v) => { if (float.IsFinite(v)) { w.WriteNumberValue(v); } else { w.WriteStringValue(v.ToString(CultureInfo.InvariantCulture)); } },
        static (ref Utf8JsonReader r) => r.TokenType == JsonTokenType.String ? float.Parse(r.GetString()!, CultureInfo.InvariantCulture) : r.GetSingle(),
        static v => v.ToString("R", CultureInfo.InvariantCulture), static s => float.Parse(s, CultureInfo.InvariantCulture));

    /// <summary><see cref="double"/>.</summary>
    public static JsonKeyRoutine<double> Double { get; } = new Primitive<double>(
        static (w, v) => { if (double.IsFinite(v)) { w.WriteNumberValue(v); } else { w.WriteStringValue(v.ToString(CultureInfo.InvariantCulture)); } },
        static (ref Utf8JsonReader r) => r.TokenType == JsonTokenType.String ? double.Parse(r.GetString()!, CultureInfo.InvariantCulture) : r.GetDouble(),
        static v => v.ToString("R", CultureInfo.InvariantCulture), static s => double.Parse(s, CultureInfo.InvariantCulture));

    /// <summary><see cref="decimal"/>.</summary>
    public static JsonKeyRoutine<decimal> Decimal { get; } = new Primitive<decimal>(
        static (w, v) => w.WriteNumberValue(v),
        static (ref Utf8JsonReader r) => r.TokenType == JsonTokenType.String ? decimal.Parse(r.GetString()!, NumberStyles.Float, CultureInfo.InvariantCulture) : r.GetDecimal(),
        static v => v.ToString(CultureInfo.InvariantCulture), static s => decimal.Parse(s, NumberStyles.Float, CultureInfo.InvariantCulture));

    /// <summary><see cref="char"/>, as a one-character string.</summary>
    public static JsonKeyRoutine<char> Char { get; } = new Primitive<char>(
        static (w, v) => w.WriteStringValue(v.ToString()),
        static (ref Utf8JsonReader r) => r.GetString() is { Length: 1 } s ? s[0] : throw new JsonException("expected a one-character string"),
        static v => v.ToString(), static s => s.Length == 1 ? s[0] : throw new FormatException("expected one character"));

    /// <summary><see cref="string"/>; null as JSON <c>null</c>.</summary>
    public static JsonKeyRoutine<string?> String { get; } = new Primitive<string?>(
        static (w, v) => { if (v is null) { w.WriteNullValue(); } else { w.WriteStringValue(v); } },
        static (ref Utf8JsonReader r) => r.TokenType == JsonTokenType.Null ? null : r.GetString(),
        static v => v ?? string.Empty, static s => s);

    /// <summary><see cref="Guid"/>.</summary>
    public static JsonKeyRoutine<Guid> Guid { get; } = new Primitive<Guid>(
        static (w, v) => w.WriteStringValue(v), static (ref Utf8JsonReader r) => r.GetGuid(),
        static v => v.ToString("D"), static s => System.Guid.Parse(s));

    /// <summary><see cref="DateTime"/>, ISO 8601 keeping its kind.</summary>
    public static JsonKeyRoutine<DateTime> DateTime { get; } = new Primitive<DateTime>(
        static (w, v) => w.WriteStringValue(v), static (ref Utf8JsonReader r) => r.GetDateTime(),
        static v => v.ToString("O", CultureInfo.InvariantCulture), static s => System.DateTime.Parse(s, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind));

    /// <summary><see cref="DateTimeOffset"/>, ISO 8601 with its offset.</summary>
    public static JsonKeyRoutine<DateTimeOffset> DateTimeOffset { get; } = new Primitive<DateTimeOffset>(
        static (w, v) => w.WriteStringValue(v), static (ref Utf8JsonReader r) => r.GetDateTimeOffset(),
        static v => v.ToString("O", CultureInfo.InvariantCulture), static s => System.DateTimeOffset.Parse(s, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind));

    /// <summary><see cref="TimeSpan"/>, as the invariant constant format (<c>d.hh:mm:ss.fffffff</c>).</summary>
    public static JsonKeyRoutine<TimeSpan> TimeSpan { get; } = new Primitive<TimeSpan>(
        static (w, v) => w.WriteStringValue(v.ToString("c", CultureInfo.InvariantCulture)),
        static (ref Utf8JsonReader r) => System.TimeSpan.ParseExact(r.GetString()!, "c", CultureInfo.InvariantCulture),
        static v => v.ToString("c", CultureInfo.InvariantCulture), static s => System.TimeSpan.ParseExact(s, "c", CultureInfo.InvariantCulture));

    /// <summary><c>byte[]</c>, as a base64 string; null as JSON <c>null</c>.</summary>
    public static JsonRoutine<byte[]?> Bytes { get; } = new Primitive<byte[]?>(
        static (w, v) => { if (v is null) { w.WriteNullValue(); } else { w.WriteBase64StringValue(v); } },
        static (ref Utf8JsonReader r) => r.TokenType == JsonTokenType.Null ? null : r.GetBytesFromBase64(),
        static v => v is null ? string.Empty : Convert.ToBase64String(v), static s => Convert.FromBase64String(s));

    /// <summary><see cref="Codec.Empty"/>, as <c>null</c>; any value is accepted and skipped.</summary>
    public static JsonRoutine<Empty> Empty { get; } = new EmptyRoutine();

    /// <summary>A nullable value type: JSON <c>null</c> or the value.</summary>
    public static JsonRoutine<T?> Nullable<T>(JsonRoutine<T> value) where T : struct => new NullableRoutine<T>(value);

    /// <summary>An array, as a JSON array; null as JSON <c>null</c>.</summary>
    public static JsonRoutine<T[]?> Array<T>(JsonRoutine<T> item) => new ArrayRoutine<T>(item);

    /// <summary>A <see cref="List{T}"/>, as a JSON array; null as JSON <c>null</c>.</summary>
    public static JsonRoutine<List<T>?> List<T>(JsonRoutine<T> item) => new ListRoutine<T>(item);

    /// <summary>A read-only list (read back as a <see cref="List{T}"/>), as a JSON array; null as JSON <c>null</c>.</summary>
    public static JsonRoutine<IReadOnlyList<T>?> ReadOnlyList<T>(JsonRoutine<T> item) => new ReadOnlyListRoutine<T>(item);

    /// <summary>A <see cref="Dictionary{TKey, TValue}"/>, as a JSON object; null as JSON <c>null</c>.</summary>
    public static JsonRoutine<Dictionary<TKey, TValue>?> Dictionary<TKey, TValue>(JsonKeyRoutine<TKey> key, JsonRoutine<TValue> value)
        where TKey : notnull => new DictionaryRoutine<TKey, TValue>(key, value);

    /// <summary>A read-only dictionary (read back as a <see cref="Dictionary{TKey, TValue}"/>), as a JSON object.</summary>
    public static JsonRoutine<IReadOnlyDictionary<TKey, TValue>?> ReadOnlyDictionary<TKey, TValue>(JsonKeyRoutine<TKey> key, JsonRoutine<TValue> value)
        where TKey : notnull => new ReadOnlyDictionaryRoutine<TKey, TValue>(key, value);

    /// <summary>
    /// Moves <paramref name="reader"/> to the next token, throwing a clear error at the end of the input.
    /// Generated routines use it between tokens.
    /// </summary>
    public static void Next(ref Utf8JsonReader reader)
    {
        if (!reader.Read())
        {
            throw new JsonException("unexpected end of JSON");
        }
    }

    /// <summary>Throws unless the current token is <paramref name="expected"/>.</summary>
    public static void Expect(ref Utf8JsonReader reader, JsonTokenType expected)
    {
        if (reader.TokenType != expected)
        {
            throw new JsonException($"expected {expected} but found {reader.TokenType} at byte {reader.TokenStartIndex}");
        }
    }

    internal static JsonRoutine<T>? GetBuiltin<T>()
    {
        object? routine =
            typeof(T) == typeof(bool) ? Boolean :
            typeof(T) == typeof(byte) ? Byte :
            typeof(T) == typeof(sbyte) ? SByte :
            typeof(T) == typeof(short) ? Int16 :
            typeof(T) == typeof(ushort) ? UInt16 :
            typeof(T) == typeof(int) ? Int32 :
            typeof(T) == typeof(uint) ? UInt32 :
            typeof(T) == typeof(long) ? Int64 :
            typeof(T) == typeof(ulong) ? UInt64 :
            typeof(T) == typeof(float) ? Single :
            typeof(T) == typeof(double) ? Double :
            typeof(T) == typeof(decimal) ? Decimal :
            typeof(T) == typeof(char) ? Char :
            typeof(T) == typeof(string) ? String :
            typeof(T) == typeof(Guid) ? Guid :
            typeof(T) == typeof(System.DateTime) ? DateTime :
            typeof(T) == typeof(System.DateTimeOffset) ? DateTimeOffset :
            typeof(T) == typeof(System.TimeSpan) ? TimeSpan :
            typeof(T) == typeof(byte[]) ? Bytes :
            typeof(T) == typeof(Empty) ? Empty :
            null;
        return (JsonRoutine<T>?)routine;
    }

    private static string Format<T>(T value) where T : IFormattable => value.ToString(null, CultureInfo.InvariantCulture);

    private delegate T ReadFunc<T>(ref Utf8JsonReader reader);

    private sealed class Primitive<T>(Action<Utf8JsonWriter, T> write, ReadFunc<T> read, Func<T, string> toName, Func<string, T> fromName)
        : JsonKeyRoutine<T>
    {
        public override void Write(Utf8JsonWriter writer, T value) => write(writer, value);

        public override T Read(ref Utf8JsonReader reader) => read(ref reader);

        public override string ToPropertyName(T key) => toName(key);

        public override T FromPropertyName(string name) => fromName(name);
    }

    private sealed class EmptyRoutine : JsonRoutine<Empty>
    {
        public override void Write(Utf8JsonWriter writer, Empty value) => writer.WriteNullValue();

        public override Empty Read(ref Utf8JsonReader reader)
        {
            reader.Skip();
            return default;
        }
    }

    private sealed class NullableRoutine<T>(JsonRoutine<T> value) : JsonRoutine<T?> where T : struct
    {
        public override void Write(Utf8JsonWriter writer, T? v)
        {
            if (v.HasValue)
            {
                value.Write(writer, v.GetValueOrDefault());
            }
            else
            {
                writer.WriteNullValue();
            }
        }

        public override T? Read(ref Utf8JsonReader reader) => reader.TokenType == JsonTokenType.Null ? null : value.Read(ref reader);
    }

    private sealed class ArrayRoutine<T>(JsonRoutine<T> item) : JsonRoutine<T[]?>
    {
        public override void Write(Utf8JsonWriter writer, T[]? value)
        {
            if (value is null)
            {
                writer.WriteNullValue();
                return;
            }
            writer.WriteStartArray();
            foreach (var element in value)
            {
                item.Write(writer, element);
            }
            writer.WriteEndArray();
        }

        public override T[]? Read(ref Utf8JsonReader reader) =>
            reader.TokenType == JsonTokenType.Null ? null : ReadItems(ref reader, item).ToArray();
    }

    private sealed class ListRoutine<T>(JsonRoutine<T> item) : JsonRoutine<List<T>?>
    {
        public override void Write(Utf8JsonWriter writer, List<T>? value) => WriteItems(writer, value, item);

        public override List<T>? Read(ref Utf8JsonReader reader) =>
            reader.TokenType == JsonTokenType.Null ? null : ReadItems(ref reader, item);
    }

    private sealed class ReadOnlyListRoutine<T>(JsonRoutine<T> item) : JsonRoutine<IReadOnlyList<T>?>
    {
        public override void Write(Utf8JsonWriter writer, IReadOnlyList<T>? value) => WriteItems(writer, value, item);

        public override IReadOnlyList<T>? Read(ref Utf8JsonReader reader) =>
            reader.TokenType == JsonTokenType.Null ? null : ReadItems(ref reader, item);
    }

    private static void WriteItems<T>(Utf8JsonWriter writer, IReadOnlyList<T>? value, JsonRoutine<T> item)
    {
        if (value is null)
        {
            writer.WriteNullValue();
            return;
        }
        writer.WriteStartArray();
        for (var i = 0; i < value.Count; i++)
        {
            item.Write(writer, value[i]);
        }
        writer.WriteEndArray();
    }

    private static List<T> ReadItems<T>(ref Utf8JsonReader reader, JsonRoutine<T> item)
    {
        Expect(ref reader, JsonTokenType.StartArray);
        var list = new List<T>();
        while (true)
        {
            Next(ref reader);
            if (reader.TokenType == JsonTokenType.EndArray)
            {
                return list;
            }
            list.Add(item.Read(ref reader));
        }
    }

    private sealed class DictionaryRoutine<TKey, TValue>(JsonKeyRoutine<TKey> key, JsonRoutine<TValue> value)
        : JsonRoutine<Dictionary<TKey, TValue>?> where TKey : notnull
    {
        public override void Write(Utf8JsonWriter writer, Dictionary<TKey, TValue>? map) => WriteEntries(writer, map, key, value);

        public override Dictionary<TKey, TValue>? Read(ref Utf8JsonReader reader) =>
            reader.TokenType == JsonTokenType.Null ? null : ReadEntries(ref reader, key, value);
    }

    private sealed class ReadOnlyDictionaryRoutine<TKey, TValue>(JsonKeyRoutine<TKey> key, JsonRoutine<TValue> value)
        : JsonRoutine<IReadOnlyDictionary<TKey, TValue>?> where TKey : notnull
    {
        public override void Write(Utf8JsonWriter writer, IReadOnlyDictionary<TKey, TValue>? map) => WriteEntries(writer, map, key, value);

        public override IReadOnlyDictionary<TKey, TValue>? Read(ref Utf8JsonReader reader) =>
            reader.TokenType == JsonTokenType.Null ? null : ReadEntries(ref reader, key, value);
    }

    private static void WriteEntries<TKey, TValue>(Utf8JsonWriter writer, IEnumerable<KeyValuePair<TKey, TValue>>? map, JsonKeyRoutine<TKey> key, JsonRoutine<TValue> value)
    {
        if (map is null)
        {
            writer.WriteNullValue();
            return;
        }
        writer.WriteStartObject();
        foreach (var (k, v) in map)
        {
            writer.WritePropertyName(key.ToPropertyName(k));
            value.Write(writer, v);
        }
        writer.WriteEndObject();
    }

    private static Dictionary<TKey, TValue> ReadEntries<TKey, TValue>(ref Utf8JsonReader reader, JsonKeyRoutine<TKey> key, JsonRoutine<TValue> value)
        where TKey : notnull
    {
        Expect(ref reader, JsonTokenType.StartObject);
        var map = new Dictionary<TKey, TValue>();
        while (true)
        {
            Next(ref reader);
            if (reader.TokenType == JsonTokenType.EndObject)
            {
                return map;
            }
            var k = key.FromPropertyName(reader.GetString()!);
            Next(ref reader);
            map[k] = value.Read(ref reader);
        }
    }
}
