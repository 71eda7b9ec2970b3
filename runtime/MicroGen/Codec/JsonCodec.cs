using System;
using System.Buffers;
using System.Text.Json;

namespace MicroGen.Codec;

/// <summary>
/// The JSON codec (<c>application/json</c>, go-micro's debugging and CLI codec), running routines
/// the generator writes, so a trimmed or Native AOT server still answers JSON.
/// </summary>
public sealed class JsonCodec : ICodec
{
    /// <summary>The shared instance.</summary>
    public static JsonCodec Instance { get; } = new();

    [ThreadStatic]
    private static Utf8JsonWriter? t_writer;

    /// <inheritdoc/>
    public string Name => "json";

    /// <inheritdoc/>
    public string ContentType => ContentTypes.Json;

    private static readonly RoutineFactories s_factories = new();

    /// <summary>Registers the routine for <typeparamref name="T"/>, in use from now on.</summary>
    public static void Register<T>(JsonRoutine<T> routine) =>
        Slot<T>.Routine = routine ?? throw new ArgumentNullException(nameof(routine));

    /// <summary>
    /// Registers how to get the routine for <paramref name="type"/> (a <see cref="JsonRoutine{T}"/>
    /// of that type), which runs on the type's first use. Called by generated module initializers,
    /// which thus compile and create nothing per type at start-up. A routine registered with
    /// <see cref="Register{T}(JsonRoutine{T})"/> wins.
    /// </summary>
    public static void Register(Type type, Func<object> create) =>
        s_factories.Add(type, create);

    /// <summary>The routine for <typeparamref name="T"/>, or null when none is registered or built in.</summary>
    public static JsonRoutine<T>? GetRoutine<T>() => Slot<T>.Routine ?? Slot<T>.Resolve();

    /// <inheritdoc/>
    public bool CanCarry<T>() => GetRoutine<T>() is not null;

    /// <inheritdoc/>
    public void Serialize<T>(IBufferWriter<byte> writer, T value)
    {
        var routine = GetRoutine<T>() ?? throw CannotCarry<T>();
        // One writer per thread, reset onto each destination: Utf8JsonWriter is not cheap to create.
        var json = t_writer;
        if (json is null)
        {
            json = t_writer = new Utf8JsonWriter(writer, new JsonWriterOptions { SkipValidation = true });
        }
        else
        {
            json.Reset(writer);
        }
        try
        {
            routine.Write(json, value);
            json.Flush();
        }
        finally
        {
            json.Reset(NullBufferWriter.Instance);
        }
    }

    /// <inheritdoc/>
    public T Deserialize<T>(in ReadOnlySequence<byte> data)
    {
        var routine = GetRoutine<T>() ?? throw CannotCarry<T>();
        var reader = new Utf8JsonReader(data, ReaderOptions.Value);
        try
        {
            if (!reader.Read())
            {
                // An empty body is "no value" for Empty and a malformed body for anything else.
                if (typeof(T) == typeof(Empty))
                {
                    return default!;
                }
                throw new JsonException("the body is empty");
            }
            var value = routine.Read(ref reader);
            if (reader.Read())
            {
                throw new JsonException($"unexpected {reader.TokenType} after the value");
            }
            return value;
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException or OverflowException or ArgumentException)
        {
            throw new MicroException(MicroError.Create("microgen.codec", MicroStatusCode.BadRequest,
                $"malformed {ContentType} body for {typeof(T).Name}: {e.Message}"), e);
        }
    }

    private MicroException CannotCarry<T>() =>
        new("microgen.codec", MicroStatusCode.UnsupportedMediaType,
            $"codec {ContentType} has no routine for {typeof(T).FullName}; mark the type as part of a [MicroService] contract or [MicroEvent]");

    private static class Slot<T>
    {
        public static JsonRoutine<T>? Routine = JsonRoutines.GetBuiltin<T>();

        /// <summary>The first lookup of a type with no routine yet: the generated one, kept for every later lookup.</summary>
        public static JsonRoutine<T>? Resolve()
        {
            var routine = CreateRegistered();
            if (routine is null && Internal.ModuleRegistration.Ensure(typeof(T)))
            {
                routine = Routine ?? CreateRegistered();
            }
            if (routine is not null)
            {
                Routine = routine;
            }
            return routine;
        }

        private static JsonRoutine<T>? CreateRegistered() =>
            (JsonRoutine<T>?)s_factories.Create(typeof(T));
    }

    private sealed class NullBufferWriter : IBufferWriter<byte>
    {
        public static readonly NullBufferWriter Instance = new();

        public void Advance(int count)
        {
        }

        public Memory<byte> GetMemory(int sizeHint = 0) => new byte[Math.Max(sizeHint, 16)];

        public Span<byte> GetSpan(int sizeHint = 0) => GetMemory(sizeHint).Span;
    }

    /// <summary>
    /// Holds the reader options apart from <see cref="JsonCodec"/>'s own statics: a static field of
    /// System.Text.Json's struct type would load that assembly with the codec's type, which every
    /// default codec list and generated registration touches, in processes that never read JSON.
    /// </summary>
    private static class ReaderOptions
    {
        public static readonly JsonReaderOptions Value = new() { MaxDepth = 64, CommentHandling = JsonCommentHandling.Skip };
    }
}
