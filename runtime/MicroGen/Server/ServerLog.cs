using System;
using Microsoft.Extensions.Logging;

namespace MicroGen.Server;

internal static partial class ServerLog
{
    [LoggerMessage(EventId = 1, EventName = "Listening", Level = LogLevel.Information, Message = "Service {Service} node {NodeId} listening on {Transport} {Address}")]
    public static partial void Listening(ILogger logger, string service, string nodeId, string transport, string address);

    [LoggerMessage(EventId = 2, EventName = "HandlerFailed", Level = LogLevel.Error, Message = "Handler of {Endpoint} failed (request id {RequestId})")]
    public static partial void HandlerFailed(ILogger logger, string endpoint, string? requestId, Exception exception);

    [LoggerMessage(EventId = 3, EventName = "HeartbeatFailed", Level = LogLevel.Warning, Message = "Re-registering {Service} failed; retrying on the next interval")]
    public static partial void HeartbeatFailed(ILogger logger, string service, Exception exception);

    [LoggerMessage(EventId = 4, EventName = "DeregisterFailed", Level = LogLevel.Warning, Message = "Deregistering {Service} failed; the entry expires after its TTL")]
    public static partial void DeregisterFailed(ILogger logger, string service, Exception exception);

    [LoggerMessage(EventId = 5, EventName = "DrainTimedOut", Level = LogLevel.Warning, Message = "Stopping {Service}: {InFlight} call(s) still in flight after the drain timeout are cancelled")]
    public static partial void DrainTimedOut(ILogger logger, string service, int inFlight);

    [LoggerMessage(EventId = 6, EventName = "Stopped", Level = LogLevel.Information, Message = "Service {Service} node {NodeId} stopped")]
    public static partial void Stopped(ILogger logger, string service, string nodeId);

    [LoggerMessage(EventId = 7, EventName = "HandlerCancelled", Level = LogLevel.Debug, Message = "Handler of {Endpoint} cancelled the call itself (request id {RequestId})")]
    public static partial void HandlerCancelled(ILogger logger, string endpoint, string? requestId);
}
