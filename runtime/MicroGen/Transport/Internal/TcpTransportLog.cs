using System;
using Microsoft.Extensions.Logging;

namespace MicroGen.Transport.Internal;

/// <summary>The TCP transport's log events. EventIds are stable: dashboards and tests rely on them.</summary>
internal static partial class TcpTransportLog
{
    [LoggerMessage(EventId = 1, EventName = "Listening", Level = LogLevel.Information, Message = "TCP transport listening on {Address}")]
    public static partial void Listening(ILogger logger, string address);

    [LoggerMessage(EventId = 2, EventName = "ConnectionAccepted", Level = LogLevel.Debug, Message = "Connection {ConnectionId} accepted from {RemoteEndPoint}")]
    public static partial void ConnectionAccepted(ILogger logger, long connectionId, string remoteEndPoint);

    [LoggerMessage(EventId = 3, EventName = "ConnectionEstablished", Level = LogLevel.Debug, Message = "Connection {ConnectionId} established to {RemoteEndPoint}")]
    public static partial void ConnectionEstablished(ILogger logger, long connectionId, string remoteEndPoint);

    [LoggerMessage(EventId = 4, EventName = "ConnectionClosed", Level = LogLevel.Debug, Message = "Connection {ConnectionId} ({RemoteEndPoint}) closed: {Reason}")]
    public static partial void ConnectionClosed(ILogger logger, long connectionId, string remoteEndPoint, string reason);

    [LoggerMessage(EventId = 5, EventName = "ProtocolError", Level = LogLevel.Warning, Message = "Closing connection {ConnectionId} ({RemoteEndPoint}) on a protocol error {Code}: {Reason}")]
    public static partial void ProtocolError(ILogger logger, long connectionId, string remoteEndPoint, GoAwayCode code, string reason);

    [LoggerMessage(EventId = 6, EventName = "HandshakeTimedOut", Level = LogLevel.Warning, Message = "Closing connection {ConnectionId} ({RemoteEndPoint}): no preamble within the handshake timeout of {Timeout}")]
    public static partial void HandshakeTimedOut(ILogger logger, long connectionId, string remoteEndPoint, TimeSpan timeout);

    [LoggerMessage(EventId = 7, EventName = "KeepAliveTimedOut", Level = LogLevel.Warning, Message = "Closing connection {ConnectionId} ({RemoteEndPoint}): {MaxPingOut} ping(s) went unanswered")]
    public static partial void KeepAliveTimedOut(ILogger logger, long connectionId, string remoteEndPoint, int maxPingOut);

    [LoggerMessage(EventId = 8, EventName = "GoAwaySent", Level = LogLevel.Debug, Message = "Connection {ConnectionId} ({RemoteEndPoint}): sent GOAWAY {Code}, last stream {LastStreamId}: {Reason}")]
    public static partial void GoAwaySent(ILogger logger, long connectionId, string remoteEndPoint, GoAwayCode code, uint lastStreamId, string reason);

    [LoggerMessage(EventId = 9, EventName = "GoAwayReceived", Level = LogLevel.Debug, Message = "Connection {ConnectionId} ({RemoteEndPoint}): the peer is going away ({Code}, last stream {LastStreamId}): {Reason}")]
    public static partial void GoAwayReceived(ILogger logger, long connectionId, string remoteEndPoint, GoAwayCode code, uint lastStreamId, string reason);

    [LoggerMessage(EventId = 10, EventName = "AcceptFailed", Level = LogLevel.Error, Message = "Accepting a connection on {Address} failed")]
    public static partial void AcceptFailed(ILogger logger, string address, Exception exception);

    [LoggerMessage(EventId = 11, EventName = "ConnectionReset", Level = LogLevel.Debug, Message = "Connection {ConnectionId} ({RemoteEndPoint}) was reset by the peer")]
    public static partial void ConnectionReset(ILogger logger, long connectionId, string remoteEndPoint, Exception exception);

    [LoggerMessage(EventId = 12, EventName = "HandlerFailed", Level = LogLevel.Error, Message = "The transport handler failed on connection {ConnectionId}, stream {StreamId}, endpoint {Endpoint}")]
    public static partial void HandlerFailed(ILogger logger, long connectionId, uint streamId, string endpoint, Exception exception);

    [LoggerMessage(EventId = 13, EventName = "UnexpectedError", Level = LogLevel.Error, Message = "Connection {ConnectionId} ({RemoteEndPoint}) failed unexpectedly")]
    public static partial void UnexpectedError(ILogger logger, long connectionId, string remoteEndPoint, Exception exception);

    [LoggerMessage(EventId = 14, EventName = "Draining", Level = LogLevel.Information, Message = "Draining {Address}: {Count} connection(s) told to go away")]
    public static partial void Draining(ILogger logger, string address, int count);

    [LoggerMessage(EventId = 15, EventName = "DialFailed", Level = LogLevel.Debug, Message = "Dialling {Address} failed: {Reason}")]
    public static partial void DialFailed(ILogger logger, string address, string reason);
}
