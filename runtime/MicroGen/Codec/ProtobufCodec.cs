using System;
using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using Google.Protobuf;

namespace MicroGen.Codec;

/// <summary>
/// The Protocol Buffers codec (<c>application/protobuf</c>) for Google.Protobuf messages, through
/// their own generated code (<c>WriteTo</c> and <c>Parser</c>). <see cref="Empty"/> is zero bytes.
/// </summary>
public sealed class ProtobufCodec : ICodec
{
    /// <summary>The shared instance.</summary>
    public static ProtobufCodec Instance { get; } = new();

    /// <inheritdoc/>
    public string Name => "protobuf";

    /// <inheritdoc/>
    public string ContentType => ContentTypes.Protobuf;

    private static readonly RoutineFactories s_factories = new();

    /// <summary>Registers the parser of message type <typeparamref name="T"/>, in use from now on.</summary>
    public static void Register<T>(MessageParser<T> parser) where T : IMessage<T> =>
        Slot<T>.Parser = parser ?? throw new ArgumentNullException(nameof(parser));

    /// <summary>
    /// Registers how to get the parser of message type <paramref name="type"/> (its
    /// <see cref="MessageParser"/>), which runs on the type's first use. Called by generated module
    /// initializers, which thus touch no message type at start-up.
    /// </summary>
    public static void Register(Type type, Func<object> create) =>
        s_factories.Add(type, create);

    /// <inheritdoc/>
    public bool CanCarry<T>() => typeof(T) == typeof(Empty) || GetParser<T>() is not null;

    private static MessageParser? GetParser<T>()
    {
        var parser = Slot<T>.Parser ?? (Slot<T>.Parser = CreateRegistered(typeof(T)));
        if (parser is null && Internal.ModuleRegistration.Ensure(typeof(T)))
        {
            parser = Slot<T>.Parser ??= CreateRegistered(typeof(T));
        }
        if (parser is null && typeof(IMessage).IsAssignableFrom(typeof(T)) && !typeof(T).IsAbstract)
        {
            // A message that no contract or [MicroEvent] type mentions (an event type needs no mark):
            // its own generated descriptor knows its parser. Once per type, never per message.
            parser = Slot<T>.Parser = DescriptorParser(typeof(T));
        }
        return parser;
    }

    [UnconditionalSuppressMessage("Trimming", "IL2067", Justification =
        "Only reached for a Google.Protobuf message type T used as a generic argument; no constructor runs, " +
        "and the type is kept by its own generated Parser and Descriptor, which the descriptor lookup reads.")]
    private static MessageParser? DescriptorParser(Type type)
    {
        try
        {
            // The IMessage.Descriptor property of generated code returns a static: no constructor needed.
            var instance = (IMessage)RuntimeHelpers.GetUninitializedObject(type);
            return instance.Descriptor?.Parser;
        }
        catch (Exception e) when (e is ArgumentException or NotSupportedException or MemberAccessException or InvalidCastException or NullReferenceException)
        {
            return null;
        }
    }

    /// <inheritdoc/>
    public void Serialize<T>(IBufferWriter<byte> writer, T value)
    {
        if (typeof(T) == typeof(Empty))
        {
            return;
        }
        if (GetParser<T>() is null)
        {
            throw CannotCarry<T>();
        }
        if (value is not IMessage message)
        {
            throw new MicroException("microgen.codec", MicroStatusCode.BadRequest, $"a null {typeof(T).Name} cannot be sent as {ContentType}");
        }
        // Size first and write into one span: WriteTo(IBufferWriter) writes through whatever span
        // the writer offers, and a string longer than it goes through a temporary array of its own
        // length (4.4 KB per 4 KiB string in the load harness).
        var size = message.CalculateSize();
        if (size == 0)
        {
            return;
        }
        var span = writer.GetSpan(size)[..size];
        message.WriteTo(span);
        writer.Advance(size);
    }

    /// <inheritdoc/>
    public T Deserialize<T>(in ReadOnlySequence<byte> data)
    {
        if (typeof(T) == typeof(Empty))
        {
            return default!;
        }
        var parser = GetParser<T>() ?? throw CannotCarry<T>();
        try
        {
            return (T)parser.ParseFrom(data);
        }
        catch (InvalidProtocolBufferException e)
        {
            throw new MicroException(MicroError.Create("microgen.codec", MicroStatusCode.BadRequest,
                $"malformed {ContentType} body for {typeof(T).Name}: {e.Message}"), e);
        }
    }

    private MicroException CannotCarry<T>() =>
        new("microgen.codec", MicroStatusCode.UnsupportedMediaType,
            $"codec {ContentType} carries only Google.Protobuf messages, not {typeof(T).FullName}");

    private static MessageParser? CreateRegistered(Type type) =>
        (MessageParser?)s_factories.Create(type);

    private static class Slot<T>
    {
        public static MessageParser? Parser;
    }
}
