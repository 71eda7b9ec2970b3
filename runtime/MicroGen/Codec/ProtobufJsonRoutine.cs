using System;
using System.Text.Json;
using Google.Protobuf;

namespace MicroGen.Codec;

/// <summary>
/// Carries a Google.Protobuf message in JSON with the protobuf JSON mapping
/// (<see cref="JsonFormatter"/> and <see cref="MessageParser{T}.ParseJson"/>).
/// </summary>
/// <typeparam name="T">The message type.</typeparam>
public sealed class ProtobufJsonRoutine<T> : JsonRoutine<T?> where T : class, IMessage<T>
{
    private readonly MessageParser<T> _parser;

    /// <summary>Creates the routine.</summary>
    /// <param name="parser">The message's generated parser (<c>T.Parser</c>).</param>
    public ProtobufJsonRoutine(MessageParser<T> parser) => _parser = parser;

    /// <inheritdoc/>
    public override void Write(Utf8JsonWriter writer, T? value)
    {
        if (value is null)
        {
            writer.WriteNullValue();
            return;
        }
        writer.WriteRawValue(JsonFormatter.Default.Format(value), skipInputValidation: true);
    }

    /// <inheritdoc/>
    public override T? Read(ref Utf8JsonReader reader)
    {
        if (reader.TokenType == JsonTokenType.Null)
        {
            return null;
        }
        using var document = JsonDocument.ParseValue(ref reader);
        try
        {
            return _parser.ParseJson(document.RootElement.GetRawText());
        }
        catch (Exception e) when (e is InvalidProtocolBufferException or InvalidJsonException)
        {
            throw new JsonException(e.Message, e);
        }
    }
}
