using System;
using System.Buffers;
using System.Text.Json;

namespace MicroGen;

/// <summary>
/// go-micro's error model: an immutable <c>{id, code, detail, status}</c> that crosses the wire.
/// </summary>
/// <param name="Id">Who produced the error, for example the service name or <c>microgen.client</c>.</param>
/// <param name="Code">An HTTP-style status code; see <see cref="MicroStatusCode"/>.</param>
/// <param name="Detail">A human-readable explanation.</param>
/// <param name="Status">The reason phrase of <paramref name="Code"/>.</param>
public sealed record MicroError(string Id, int Code, string Detail, string Status)
{
    /// <summary>Creates an error whose <see cref="Status"/> is the reason phrase of <paramref name="code"/>.</summary>
    public static MicroError Create(string id, int code, string detail) =>
        new(id, code, detail, MicroStatusCode.StatusText(code));

    /// <summary>Writes the error as go-micro's JSON document (<c>{"id":…,"code":…,"detail":…,"status":…}</c>).</summary>
    public string ToJson()
    {
        var buffer = new ArrayBufferWriter<byte>(128);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("id", Id);
            writer.WriteNumber("code", Code);
            writer.WriteString("detail", Detail);
            writer.WriteString("status", Status);
            writer.WriteEndObject();
        }
        return System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    /// <summary>
    /// Parses go-micro's JSON error document. Text that is not such a document becomes a code 500
    /// error whose detail is the text itself, as go-micro's <c>errors.Parse</c> does.
    /// </summary>
    public static MicroError Parse(string text)
    {
        try
        {
            var reader = new Utf8JsonReader(System.Text.Encoding.UTF8.GetBytes(text));
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return Create(string.Empty, MicroStatusCode.InternalServerError, text);
            }
            string id = string.Empty, detail = string.Empty, status = string.Empty;
            int code = MicroStatusCode.InternalServerError;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var name = reader.GetString();
                reader.Read();
                switch (name)
                {
                    case "id": id = reader.GetString() ?? string.Empty; break;
                    case "code": code = reader.GetInt32(); break;
                    case "detail": detail = reader.GetString() ?? string.Empty; break;
                    case "status": status = reader.GetString() ?? string.Empty; break;
                    default: reader.Skip(); break;
                }
            }
            return new MicroError(id, code, detail, status);
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException)
        {
            return Create(string.Empty, MicroStatusCode.InternalServerError, text);
        }
    }
}
