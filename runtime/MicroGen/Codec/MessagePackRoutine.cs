using System;
using System.Runtime.CompilerServices;
using MessagePack;
using MessagePack.Formatters;

namespace MicroGen.Codec;

/// <summary>
/// A MessagePack formatter that needs no <see cref="MessagePackSerializerOptions"/>: one for a
/// type whose members are all primitives, strings or other such types (primitives inline, the rest
/// through <see cref="MessagePackMembers"/>). The generator writes one for each such contract type
/// and each enum; <see cref="MessagePackCodec"/> calls it directly.
/// </summary>
/// <remarks>
/// MessagePack 2.x builds the security settings of every options object with a random hash key,
/// which loads OpenSSL: several milliseconds of a process's first call. A call whose types all have
/// routines never creates <see cref="MessagePackCodec.Options"/>. Called by MessagePack itself (as a
/// member of another type), a routine honours the options' depth limit.
/// </remarks>
/// <typeparam name="T">The type.</typeparam>
public abstract class MessagePackRoutine<T> : IMessagePackFormatter<T>, IMessagePackRoutine
{
    /// <summary>Writes <paramref name="value"/> as one MessagePack value.</summary>
    public abstract void Write(ref MessagePackWriter writer, T value);

    /// <summary>Reads one MessagePack value.</summary>
    /// <param name="reader">The reader, on the value's first byte.</param>
    /// <param name="maximumDepth">The deepest object graph allowed, counting this value (see <see cref="MessagePackReader.Depth"/>).</param>
    public abstract T Read(ref MessagePackReader reader, int maximumDepth);

    /// <inheritdoc/>
    public void Serialize(ref MessagePackWriter writer, T value, MessagePackSerializerOptions options) => Write(ref writer, value);

    /// <inheritdoc/>
    public T Deserialize(ref MessagePackReader reader, MessagePackSerializerOptions options) =>
        Read(ref reader, options.Security.MaximumObjectGraphDepth);

    /// <summary>
    /// Enters one level of the object graph, as <see cref="MessagePackSecurity.DepthStep(ref MessagePackReader)"/>
    /// does; the caller decrements <see cref="MessagePackReader.Depth"/> when it leaves.
    /// </summary>
    /// <exception cref="InsufficientExecutionStackException">The graph is already <paramref name="maximumDepth"/> deep.</exception>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    protected static void DepthStep(ref MessagePackReader reader, int maximumDepth)
    {
        if (reader.Depth >= maximumDepth)
        {
            ThrowTooDeep(maximumDepth);
        }
        reader.Depth++;
    }

    private static void ThrowTooDeep(int maximumDepth) =>
        throw new InsufficientExecutionStackException($"This msgpack sequence has an object graph that exceeds the maximum depth allowed of {maximumDepth}.");
}

/// <summary>Marks a <see cref="MessagePackRoutine{T}"/>, for a test that needs no type argument.</summary>
internal interface IMessagePackRoutine
{
}

/// <summary>
/// <see cref="Nullable{T}"/> as nil or its value, through <see cref="MessagePackMembers"/>: what the
/// generator registers for a nullable of a primitive, a date, a <see cref="Guid"/> or a routine type.
/// </summary>
/// <typeparam name="T">The underlying type.</typeparam>
public sealed class NullableRoutine<T> : MessagePackRoutine<T?>
    where T : struct
{
    /// <inheritdoc/>
    public override void Write(ref MessagePackWriter writer, T? value)
    {
        if (value is { } present)
        {
            MessagePackMembers.Write(ref writer, present);
        }
        else
        {
            writer.WriteNil();
        }
    }

    /// <inheritdoc/>
    public override T? Read(ref MessagePackReader reader, int maximumDepth) =>
        reader.TryReadNil() ? null : MessagePackMembers.Read<T>(ref reader, maximumDepth);
}

/// <summary>
/// What a generated <see cref="MessagePackRoutine{T}"/> calls for a member whose type is not a
/// primitive: that type's routine, with no options, or, when a formatter registered for the type
/// instead is not a routine, that formatter with <see cref="MessagePackCodec.Options"/>.
/// </summary>
/// <remarks>
/// Members resolve through <see cref="MicroGenResolver"/>, which is what <see cref="MessagePackCodec"/>
/// runs with; a routine called by MessagePack with other options does not consult their resolver.
/// </remarks>
public static class MessagePackMembers
{
    /// <summary>Writes a member of type <typeparamref name="T"/>.</summary>
    public static void Write<T>(ref MessagePackWriter writer, T value)
    {
        var formatter = FormatterFor<T>();
        if (formatter is MessagePackRoutine<T> routine)
        {
            routine.Write(ref writer, value);
        }
        else
        {
            formatter.Serialize(ref writer, value, MessagePackCodec.Options);
        }
    }

    /// <summary>Reads a member of type <typeparamref name="T"/>, within <paramref name="maximumDepth"/> (see <see cref="MessagePackRoutine{T}.Read"/>).</summary>
    public static T Read<T>(ref MessagePackReader reader, int maximumDepth)
    {
        var formatter = FormatterFor<T>();
        return formatter is MessagePackRoutine<T> routine
            ? routine.Read(ref reader, maximumDepth)
            : formatter.Deserialize(ref reader, MessagePackCodec.Options);
    }

    private static IMessagePackFormatter<T> FormatterFor<T>() =>
        MicroGenResolver.Instance.GetFormatter<T>()
        ?? throw new MessagePackSerializationException($"no MessagePack formatter is registered for {typeof(T).FullName}");
}
