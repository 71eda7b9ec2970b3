namespace MicroGen.Codec;

/// <summary>The content types of the built-in codecs.</summary>
public static class ContentTypes
{
    /// <summary>MessagePack: the default for types that are not protobuf messages.</summary>
    public const string MessagePack = "application/msgpack";

    /// <summary>Protocol Buffers: the default when a method's request and response are protobuf messages.</summary>
    public const string Protobuf = "application/protobuf";

    /// <summary>JSON: for the CLI and debugging, go-micro's <c>application/json</c>.</summary>
    public const string Json = "application/json";
}
