using System;
using System.Buffers;
using System.Threading;
using MessagePack;
using MessagePack.Formatters;

namespace MicroGen.Codec;

/// <summary>
/// The MessagePack codec (<c>application/msgpack</c>), running the formatters the generator writes
/// plus MessagePack's built-in formatters for primitives. Never MessagePack's dynamic resolvers.
/// </summary>
/// <remarks>
/// A <see cref="DateTime"/> is written as a MessagePack timestamp, which is UTC by definition: a
/// <see cref="DateTimeKind.Local"/> value is converted to UTC, an
/// <see cref="DateTimeKind.Unspecified"/> one is taken to be UTC already, and every value is read
/// back with <see cref="DateTimeKind.Utc"/>. <see cref="DateTimeOffset"/> keeps its offset.
/// </remarks>
public sealed class MessagePackCodec : ICodec
{
    /// <summary>The shared instance.</summary>
    public static MessagePackCodec Instance { get; } = new();

    /// <summary>
    /// The options every MicroGen MessagePack routine runs with: <see cref="MicroGenResolver"/> and
    /// <see cref="MessagePackSecurity.UntrustedData"/> (depth limit, collision-resistant hashing),
    /// since bodies come from the network. Created on first use, which a process whose calls carry
    /// only types with a <see cref="MessagePackRoutine{T}"/> never makes.
    /// </summary>
    public static MessagePackSerializerOptions Options => LazyOptions.Value;

    /// <summary>
    /// The deepest object graph a body may hold: that of <see cref="MessagePackSecurity.UntrustedData"/>,
    /// which <see cref="Options"/> use, so a <see cref="MessagePackRoutine{T}"/> called directly
    /// enforces the same limit.
    /// </summary>
    public const int MaximumObjectGraphDepth = 500;

    /// <inheritdoc/>
    public string Name => "msgpack";

    /// <inheritdoc/>
    public string ContentType => ContentTypes.MessagePack;

    private static readonly RoutineFactories s_factories = new();

    /// <summary>Registers the formatter for <typeparamref name="T"/>, in use from now on.</summary>
    public static void Register<T>(IMessagePackFormatter<T> formatter) =>
        MicroGenResolver.Slot<T>.Formatter = formatter ?? throw new ArgumentNullException(nameof(formatter));

    /// <summary>
    /// Registers how to create the formatter for <paramref name="type"/> (an
    /// <see cref="IMessagePackFormatter{T}"/> of that type), which runs on the type's first use.
    /// Called by generated module initializers, which thus compile and create nothing per type at
    /// start-up. A formatter registered with <see cref="Register{T}(IMessagePackFormatter{T})"/> wins.
    /// </summary>
    public static void Register(Type type, Func<object> create) =>
        s_factories.Add(type, create);

    /// <summary>The formatter registered with <see cref="Register(Type, Func{object})"/> for <typeparamref name="T"/>, created now.</summary>
    internal static IMessagePackFormatter<T>? CreateRegistered<T>() =>
        (IMessagePackFormatter<T>?)s_factories.Create(typeof(T));

    /// <inheritdoc/>
    public bool CanCarry<T>() => MicroGenResolver.Instance.GetFormatter<T>() is not null;

    /// <inheritdoc/>
    public void Serialize<T>(IBufferWriter<byte> writer, T value)
    {
        var formatter = MicroGenResolver.Instance.GetFormatter<T>() ?? throw CannotCarry<T>();
        var msgpack = new MessagePackWriter(writer);
        if (formatter is MessagePackRoutine<T> routine)
        {
            routine.Write(ref msgpack, value);
        }
        else
        {
            formatter.Serialize(ref msgpack, value, Options);
        }
        msgpack.Flush();
    }

    /// <inheritdoc/>
    public T Deserialize<T>(in ReadOnlySequence<byte> data)
    {
        var formatter = MicroGenResolver.Instance.GetFormatter<T>() ?? throw CannotCarry<T>();
        var reader = new MessagePackReader(data);
        try
        {
            var value = formatter is MessagePackRoutine<T> routine
                ? routine.Read(ref reader, MaximumObjectGraphDepth)
                : formatter.Deserialize(ref reader, Options);
            if (!reader.End)
            {
                throw new MessagePackSerializationException($"unexpected bytes follow the value at offset {reader.Consumed}");
            }
            return value;
        }
        // Beyond MessagePack's own errors: ArgumentException from values out of range (a timestamp past
        // DateTime.MaxValue) and InsufficientExecutionStackException from the depth limit of untrusted data.
        catch (Exception e) when (e is MessagePackSerializationException or System.IO.EndOfStreamException or InvalidOperationException or OverflowException
            or FormatException or ArgumentException or InsufficientExecutionStackException)
        {
            throw new MicroException(MicroError.Create("microgen.codec", MicroStatusCode.BadRequest,
                $"malformed {ContentType} body for {typeof(T).Name}: {e.Message}"), e);
        }
    }

    /// <summary>
    /// Starts building <see cref="Options"/> in the background unless both formatters are
    /// <see cref="MessagePackRoutine{T}"/>s (or it has started already): a call of routines only
    /// never needs the options.
    /// </summary>
    internal static void Prepare(object? requestFormatter, object? responseFormatter)
    {
        if (Volatile.Read(ref s_preparing) == 0 && (NeedsOptions(requestFormatter) || NeedsOptions(responseFormatter)))
        {
            PrepareInBackground();
        }
    }

    /// <summary>Whether <paramref name="formatter"/> takes <see cref="Options"/>: it is not a <see cref="MessagePackRoutine{T}"/>.</summary>
    internal static bool NeedsOptions(object? formatter) => formatter is not null and not IMessagePackRoutine;

    private static int s_preparing; // 1 once PrepareInBackground queued the set-up

    /// <summary>
    /// Builds <see cref="Options"/> on a thread-pool thread, once per process: the security settings'
    /// SipHash key (see <see cref="LazyOptions"/>) loads System.Security.Cryptography and OpenSSL,
    /// about 8 ms of a process's first call. The client starts this before it dials when a call's
    /// types need the options (see <see cref="Prepare(object, object)"/>), so the set-up runs
    /// while the connection opens.
    /// </summary>
    internal static void PrepareInBackground()
    {
        if (Volatile.Read(ref s_preparing) == 0 && Interlocked.Exchange(ref s_preparing, 1) == 0)
        {
            ThreadPool.UnsafeQueueUserWorkItem(static _ => _ = LazyOptions.Value, null);
        }
    }

    /// <summary>
    /// Holds <see cref="Options"/> so that touching <see cref="Instance"/> (every default codec
    /// list does) costs nothing: MessagePack's security settings seed a SipHash key from the
    /// cryptographic RNG, which loads OpenSSL on Linux, a few milliseconds of start-up that a
    /// process calling only protobuf or JSON never needs.
    /// </summary>
    private static class LazyOptions
    {
        // Built on the resolver directly, not on MessagePackSerializerOptions.Standard: the
        // standard resolver's static set-up (dynamic union and object resolvers, their options)
        // is never used here and was the larger part of this codec's first-call cost.
        public static readonly MessagePackSerializerOptions Value =
            new MessagePackSerializerOptions(MicroGenResolver.Instance).WithSecurity(MessagePackSecurity.UntrustedData);
    }

    private MicroException CannotCarry<T>() =>
        new("microgen.codec", MicroStatusCode.UnsupportedMediaType,
            $"codec {ContentType} has no routine for {typeof(T).FullName}; mark the type as part of a [MicroService] contract or [MicroEvent]");
}

/// <summary>
/// The MessagePack resolver of MicroGen: formatters registered by generated code first, then
/// MessagePack's <see cref="MessagePack.Resolvers.BuiltinResolver"/> (primitives, strings, byte
/// arrays, <see cref="Guid"/>, <see cref="DateTime"/>, <see cref="DateTimeOffset"/>, decimal…),
/// which uses no Reflection.Emit.
/// </summary>
public sealed class MicroGenResolver : IFormatterResolver
{
    /// <summary>The shared instance.</summary>
    public static MicroGenResolver Instance { get; } = new();

    private MicroGenResolver()
    {
    }

    /// <inheritdoc/>
    public IMessagePackFormatter<T>? GetFormatter<T>() => Slot<T>.Formatter ?? Slot<T>.Resolve();

    internal static class Slot<T>
    {
        public static IMessagePackFormatter<T>? Formatter = BuiltinFormatters.Get<T>();

        /// <summary>
        /// The first lookup of a type with no formatter yet: the generated one (created now), else
        /// MessagePack's built-in one; kept for every later lookup.
        /// </summary>
        public static IMessagePackFormatter<T>? Resolve()
        {
            var formatter = MessagePackCodec.CreateRegistered<T>() ?? MessagePack.Resolvers.BuiltinResolver.Instance.GetFormatter<T>();
            if (formatter is null && Internal.ModuleRegistration.Ensure(typeof(T)))
            {
                formatter = Formatter ?? MessagePackCodec.CreateRegistered<T>();
            }
            if (formatter is not null)
            {
                Formatter = formatter;
            }
            return formatter;
        }
    }
}
