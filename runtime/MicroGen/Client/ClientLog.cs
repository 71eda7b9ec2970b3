using System;
using Microsoft.Extensions.Logging;

namespace MicroGen.Client;

internal static partial class ClientLog
{
    [LoggerMessage(EventId = 1, EventName = "Retrying", Level = LogLevel.Debug, Message = "Retrying {Service}/{Endpoint} after attempt {Attempt}: {Reason}")]
    public static partial void Retrying(ILogger logger, string service, string endpoint, int attempt, string reason);

    [LoggerMessage(EventId = 2, EventName = "CallFailed", Level = LogLevel.Debug, Message = "Call to {Service}/{Endpoint} failed after {Attempts} attempt(s)")]
    public static partial void CallFailed(ILogger logger, string service, string endpoint, int attempts, Exception exception);
}
