using System;
using System.Buffers;
using System.Collections.Generic;
using System.Text.Json;

namespace MicroGen.Registry.Internal;

/// <summary>
/// One node's registration as the <see cref="FileSystemRegistry"/> stores it: one JSON document per
/// node, written with <see cref="Utf8JsonWriter"/> and read with <see cref="Utf8JsonReader"/> (no
/// reflection, so Native AOT and trimming keep working).
/// </summary>
/// <remarks>
/// Immutable. The document looks like this (unknown properties are ignored when reading, so newer
/// writers may add some):
/// <code>
/// {
///   "format": 1,
///   "service": "greeter",
///   "version": "1.0.0",
///   "metadata": { "team": "a" },
///   "endpoints": [ { "name": "Greeter.SayHello", "request": "HelloRequest", "response": "HelloReply", "metadata": { "stream": "false" } } ],
///   "node": { "id": "greeter-6f1c", "address": "127.0.0.1:52311", "metadata": { "transport": "tcp" } },
///   "registered": "2026-11-25T10:00:00.0000000Z",
///   "expires": "2026-11-25T10:00:30.0000000Z"
/// }
/// </code>
/// </remarks>
internal sealed record NodeDocument(ServiceInfo Service, DateTimeOffset Registered, DateTimeOffset Expires)
{
    /// <summary>The format written; readers accept documents of any format that carry the required properties.</summary>
    public const int FormatVersion = 1;

    /// <summary>Documents above this size are rejected as corrupt before they are parsed.</summary>
    public const int MaxDocumentBytes = 1024 * 1024;

    private static readonly JsonWriterOptions WriterOptions = new() { Indented = true };
    private static readonly JsonReaderOptions ReaderOptions = new() { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true };

    /// <summary>The single node this document registers.</summary>
    public Node Node => Service.Nodes[0];

    /// <summary>Serializes the document as indented UTF-8 JSON.</summary>
    public byte[] ToUtf8()
    {
        var buffer = new ArrayBufferWriter<byte>(512);
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            writer.WriteStartObject();
            writer.WriteNumber("format"u8, FormatVersion);
            writer.WriteString("service"u8, Service.Name);
            writer.WriteString("version"u8, Service.Version);
            WriteMap(writer, "metadata"u8, Service.Metadata);
            writer.WriteStartArray("endpoints"u8);
            foreach (var endpoint in Service.Endpoints)
            {
                writer.WriteStartObject();
                writer.WriteString("name"u8, endpoint.Name);
                if (endpoint.Request is not null)
                {
                    writer.WriteString("request"u8, endpoint.Request);
                }
                if (endpoint.Response is not null)
                {
                    writer.WriteString("response"u8, endpoint.Response);
                }
                WriteMap(writer, "metadata"u8, endpoint.Metadata);
                writer.WriteEndObject();
            }
            writer.WriteEndArray();
            writer.WriteStartObject("node"u8);
            writer.WriteString("id"u8, Node.Id);
            writer.WriteString("address"u8, Node.Address);
            WriteMap(writer, "metadata"u8, Node.Metadata);
            writer.WriteEndObject();
            writer.WriteString("registered"u8, Registered.UtcDateTime);
            writer.WriteString("expires"u8, Expires.UtcDateTime);
            writer.WriteEndObject();
        }
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>
    /// Parses a document. Returns <see langword="null"/> with a reason when the bytes are not a
    /// complete, valid document (a partial write by a foreign tool, a hand edit, garbage).
    /// </summary>
    public static NodeDocument? TryParse(ReadOnlySpan<byte> utf8, out string? error)
    {
        try
        {
            var document = Parse(utf8, out error);
            return document;
        }
        catch (JsonException e)
        {
            error = e.Message;
            return null;
        }
        catch (InvalidOperationException e)
        {
            // Utf8JsonReader's Get* methods throw this on a token of the wrong type.
            error = e.Message;
            return null;
        }
        catch (FormatException e)
        {
            error = e.Message;
            return null;
        }
    }

    private static NodeDocument? Parse(ReadOnlySpan<byte> utf8, out string? error)
    {
        var reader = new Utf8JsonReader(utf8, ReaderOptions);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            error = "not a JSON object";
            return null;
        }

        string? service = null;
        string version = "latest";
        IReadOnlyDictionary<string, string> metadata = ServiceInfo.EmptyMetadata;
        IReadOnlyList<EndpointInfo> endpoints = Array.Empty<EndpointInfo>();
        Node? node = null;
        DateTimeOffset? registered = null;
        DateTimeOffset? expires = null;

        while (Next(ref reader) != JsonTokenType.EndObject)
        {
            if (reader.ValueTextEquals("service"u8))
            {
                Next(ref reader);
                service = reader.GetString();
            }
            else if (reader.ValueTextEquals("version"u8))
            {
                Next(ref reader);
                version = reader.GetString() ?? "latest";
            }
            else if (reader.ValueTextEquals("metadata"u8))
            {
                metadata = ReadMap(ref reader);
            }
            else if (reader.ValueTextEquals("endpoints"u8))
            {
                endpoints = ReadEndpoints(ref reader);
            }
            else if (reader.ValueTextEquals("node"u8))
            {
                node = ReadNode(ref reader);
            }
            else if (reader.ValueTextEquals("registered"u8))
            {
                Next(ref reader);
                registered = reader.GetDateTimeOffset();
            }
            else if (reader.ValueTextEquals("expires"u8))
            {
                Next(ref reader);
                expires = reader.GetDateTimeOffset();
            }
            else
            {
                Next(ref reader);
                reader.Skip();
            }
        }
        // Anything after the root object means the file is not what a writer produced.
        if (reader.Read())
        {
            error = "trailing content after the document";
            return null;
        }

        if (string.IsNullOrEmpty(service) || node is null || expires is null)
        {
            error = "missing one of the required properties service, node.id, node.address, expires";
            return null;
        }
        error = null;
        var info = new ServiceInfo { Name = service, Version = version, Metadata = metadata, Endpoints = endpoints, Nodes = new[] { node } };
        return new NodeDocument(info, registered ?? expires.Value, expires.Value);
    }

    private static JsonTokenType Next(ref Utf8JsonReader reader)
    {
        if (!reader.Read())
        {
            throw new JsonException("the document ends early");
        }
        return reader.TokenType;
    }

    private static void Expect(ref Utf8JsonReader reader, JsonTokenType type)
    {
        if (Next(ref reader) != type)
        {
            throw new JsonException($"expected {type} but found {reader.TokenType}");
        }
    }

    private static Node? ReadNode(ref Utf8JsonReader reader)
    {
        Expect(ref reader, JsonTokenType.StartObject);
        string? id = null;
        string? address = null;
        IReadOnlyDictionary<string, string> metadata = ServiceInfo.EmptyMetadata;
        while (Next(ref reader) != JsonTokenType.EndObject)
        {
            if (reader.ValueTextEquals("id"u8))
            {
                Next(ref reader);
                id = reader.GetString();
            }
            else if (reader.ValueTextEquals("address"u8))
            {
                Next(ref reader);
                address = reader.GetString();
            }
            else if (reader.ValueTextEquals("metadata"u8))
            {
                metadata = ReadMap(ref reader);
            }
            else
            {
                Next(ref reader);
                reader.Skip();
            }
        }
        return string.IsNullOrEmpty(id) || address is null ? null : new Node { Id = id, Address = address, Metadata = metadata };
    }

    private static IReadOnlyList<EndpointInfo> ReadEndpoints(ref Utf8JsonReader reader)
    {
        Expect(ref reader, JsonTokenType.StartArray);
        var endpoints = new List<EndpointInfo>();
        while (Next(ref reader) != JsonTokenType.EndArray)
        {
            if (reader.TokenType != JsonTokenType.StartObject)
            {
                throw new JsonException("an endpoint is not an object");
            }
            string? name = null;
            string? request = null;
            string? response = null;
            IReadOnlyDictionary<string, string> metadata = ServiceInfo.EmptyMetadata;
            while (Next(ref reader) != JsonTokenType.EndObject)
            {
                if (reader.ValueTextEquals("name"u8))
                {
                    Next(ref reader);
                    name = reader.GetString();
                }
                else if (reader.ValueTextEquals("request"u8))
                {
                    Next(ref reader);
                    request = reader.GetString();
                }
                else if (reader.ValueTextEquals("response"u8))
                {
                    Next(ref reader);
                    response = reader.GetString();
                }
                else if (reader.ValueTextEquals("metadata"u8))
                {
                    metadata = ReadMap(ref reader);
                }
                else
                {
                    Next(ref reader);
                    reader.Skip();
                }
            }
            if (name is null)
            {
                throw new JsonException("an endpoint has no name");
            }
            endpoints.Add(new EndpointInfo { Name = name, Request = request, Response = response, Metadata = metadata });
        }
        return endpoints;
    }

    private static IReadOnlyDictionary<string, string> ReadMap(ref Utf8JsonReader reader)
    {
        Expect(ref reader, JsonTokenType.StartObject);
        Dictionary<string, string>? map = null;
        while (Next(ref reader) != JsonTokenType.EndObject)
        {
            var key = reader.GetString()!;
            Next(ref reader);
            (map ??= new Dictionary<string, string>(StringComparer.Ordinal))[key] = reader.GetString() ?? string.Empty;
        }
        return map ?? ServiceInfo.EmptyMetadata;
    }

    private static void WriteMap(Utf8JsonWriter writer, ReadOnlySpan<byte> name, IReadOnlyDictionary<string, string> map)
    {
        writer.WriteStartObject(name);
        // Sorted so that equal registrations give byte-identical documents.
        var keys = new string[map.Count];
        var i = 0;
        foreach (var key in map.Keys)
        {
            keys[i++] = key;
        }
        Array.Sort(keys, StringComparer.Ordinal);
        foreach (var key in keys)
        {
            writer.WriteString(key, map[key]);
        }
        writer.WriteEndObject();
    }
}
