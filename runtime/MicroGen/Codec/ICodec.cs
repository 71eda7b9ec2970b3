using System.Buffers;

namespace MicroGen.Codec;

/// <summary>
/// go-micro's codec: turns values into bytes of one content type and back. The type-specific work
/// is done by routines the source generator writes (no reflection), which a codec finds through
/// static per-type registrations.
/// </summary>
/// <remarks>
/// Built-ins: <see cref="MessagePackCodec"/> (<c>application/msgpack</c>),
/// <see cref="ProtobufCodec"/> (<c>application/protobuf</c>) and <see cref="JsonCodec"/>
/// (<c>application/json</c>). Implementations are thread-safe.
/// </remarks>
public interface ICodec
{
    /// <summary>The codec's short name, for example <c>msgpack</c>.</summary>
    string Name { get; }

    /// <summary>The content type it reads and writes, for example <c>application/msgpack</c>.</summary>
    string ContentType { get; }

    /// <summary>Whether this codec has routines for <typeparamref name="T"/>.</summary>
    bool CanCarry<T>();

    /// <summary>Writes <paramref name="value"/> to <paramref name="writer"/>.</summary>
    /// <exception cref="MicroException">Code 415 when the codec cannot carry <typeparamref name="T"/>.</exception>
    void Serialize<T>(IBufferWriter<byte> writer, T value);

    /// <summary>Reads a <typeparamref name="T"/> from <paramref name="data"/>.</summary>
    /// <exception cref="MicroException">Code 400 when the data is malformed; 415 when the codec cannot carry <typeparamref name="T"/>.</exception>
    T Deserialize<T>(in ReadOnlySequence<byte> data);
}
