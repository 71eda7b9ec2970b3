using System;

namespace MicroGen.Transport.Internal;

/// <summary>Constants of the MicroGen wire protocol v1 (<c>docs/PROTOCOL.md</c>).</summary>
internal static class TcpProtocol
{
    /// <summary>The version this implementation speaks.</summary>
    public const byte Version = 1;

    /// <summary>Preamble: magic (4) | version (1) | flags (1) | reserved (2) | max frame size (4).</summary>
    public const int PreambleSize = 12;

    /// <summary>Frame header: payload length (4) | type (1) | flags (1) | stream id (4).</summary>
    public const int FrameHeaderSize = 10;

    /// <summary>PING and PONG payloads are exactly this long.</summary>
    public const int PingPayloadSize = 8;

    /// <summary>GOAWAY: last stream id (4) | code (4) | reason.</summary>
    public const int GoAwayMinPayloadSize = 8;

    /// <summary>The longest GOAWAY reason we send or read, in bytes.</summary>
    public const int GoAwayMaxReasonSize = 1024;

    /// <summary>The smallest max frame size a peer may advertise (§1).</summary>
    public const uint MinPeerMaxFrameSize = 1024;

    /// <summary>The highest stream id a dialler may use: the top bit is reserved.</summary>
    public const uint MaxStreamId = int.MaxValue;

    /// <summary>
    /// The flow-control window of each direction of a stream when it opens, in bytes (§8.3). Fixed
    /// in v1: the protocol does not negotiate it.
    /// </summary>
    public const int InitialStreamWindow = 1024 * 1024;

    /// <summary>A receiver returns window once its reader consumed this much (half the window, §8.3).</summary>
    public const int WindowUpdateThreshold = InitialStreamWindow / 2;

    /// <summary>The largest a send window may grow, and the largest WINDOW_UPDATE increment (§3.10).</summary>
    public const long MaxWindow = int.MaxValue;

    /// <summary>WINDOW_UPDATE: increment (4).</summary>
    public const int WindowUpdatePayloadSize = 4;

    /// <summary>The error id of errors the transport itself produces.</summary>
    public const string ErrorId = "microgen.transport";

    /// <summary><c>MGEN</c>.</summary>
    public static ReadOnlySpan<byte> Magic => "MGEN"u8;
}

/// <summary>Frame types (§3).</summary>
internal enum FrameType : byte
{
    Request = 0x01,
    Response = 0x02,
    Error = 0x03,
    StreamData = 0x04,
    StreamEnd = 0x05,
    Cancel = 0x06,
    Ping = 0x07,
    Pong = 0x08,
    GoAway = 0x09,
    WindowUpdate = 0x0A,
}

/// <summary>Frame flags (§3). Their meaning depends on the frame type.</summary>
internal static class FrameFlags
{
    /// <summary>REQUEST: opens a streaming call; RESPONSE: accepts it. Messages follow in STREAM_DATA frames (§8.1).</summary>
    public const byte OpenStream = 0x01;

    /// <summary>ERROR: no handler ran for the call, so it is safe to retry.</summary>
    public const byte NotProcessed = 0x01;
}

/// <summary>GOAWAY codes (§3.9).</summary>
internal enum GoAwayCode : uint
{
    NoError = 0,
    ProtocolError = 1,
    FrameTooLarge = 2,
    UnsupportedVersion = 3,
    HandshakeTimeout = 4,
    KeepAliveTimeout = 5,
    InternalError = 6,
    FlowControlError = 7,
}

/// <summary>Well-known header keys of a header block (§4).</summary>
internal enum HeaderKey : byte
{
    User = 0,
    Service = 1,
    Endpoint = 2,
    Id = 3,
    ContentType = 4,
    Error = 5,
    Timeout = 6,
}

/// <summary>The peer broke the protocol; the connection is closed with <see cref="Code"/>.</summary>
internal sealed class ProtocolException(GoAwayCode code, string message, bool sendGoAway = true) : Exception(message)
{
    public GoAwayCode Code { get; } = code;

    /// <summary>False when the peer could not read a GOAWAY anyway (it does not speak the protocol).</summary>
    public bool SendGoAway { get; } = sendGoAway;

    public static void Throw(string message) => throw new ProtocolException(GoAwayCode.ProtocolError, message);

    public static void Throw(GoAwayCode code, string message) => throw new ProtocolException(code, message);
}
