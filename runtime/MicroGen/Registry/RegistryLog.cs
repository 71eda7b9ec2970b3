using System;
using Microsoft.Extensions.Logging;

namespace MicroGen.Registry;

internal static partial class RegistryLog
{
    [LoggerMessage(EventId = 1, EventName = "CorruptDocument", Level = LogLevel.Warning, Message = "Skipping registry document {Path}: {Reason}")]
    public static partial void CorruptDocument(ILogger logger, string path, string reason);

    [LoggerMessage(EventId = 2, EventName = "CorruptDocumentAgain", Level = LogLevel.Debug, Message = "Skipping registry document {Path} again: {Reason}")]
    public static partial void CorruptDocumentAgain(ILogger logger, string path, string reason);

    [LoggerMessage(EventId = 3, EventName = "ReadFailed", Level = LogLevel.Warning, Message = "Could not read registry document {Path}; skipping it")]
    public static partial void ReadFailed(ILogger logger, string path, Exception exception);

    [LoggerMessage(EventId = 4, EventName = "WatcherUnavailable", Level = LogLevel.Warning, Message = "File-system notifications are unavailable for {Directory}; watching by polling every {PollInterval}")]
    public static partial void WatcherUnavailable(ILogger logger, string directory, TimeSpan pollInterval, Exception exception);

    [LoggerMessage(EventId = 5, EventName = "WatcherError", Level = LogLevel.Debug, Message = "File-system watcher on {Directory} reported an error; rescanning")]
    public static partial void WatcherError(ILogger logger, string directory, Exception exception);

    [LoggerMessage(EventId = 6, EventName = "CleanupFailed", Level = LogLevel.Debug, Message = "Could not remove stale registry file {Path}")]
    public static partial void CleanupFailed(ILogger logger, string path, Exception exception);

    [LoggerMessage(EventId = 7, EventName = "ScanFailed", Level = LogLevel.Warning, Message = "Scanning registry folder {Directory} failed; the watch keeps its previous view")]
    public static partial void ScanFailed(ILogger logger, string directory, Exception exception);

    [LoggerMessage(EventId = 20, EventName = "ServingStale", Level = LogLevel.Warning, Message = "Looking up {Service} in registry {Registry} failed; serving the cached entry")]
    public static partial void ServingStale(ILogger logger, string service, string registry, Exception exception);

    [LoggerMessage(EventId = 21, EventName = "CacheWatchFailed", Level = LogLevel.Warning, Message = "Watching registry {Registry} failed or ended; cached entries live at most their TTL until the watch restarts in {Delay}")]
    public static partial void CacheWatchFailed(ILogger logger, string registry, TimeSpan delay, Exception? exception);

    [LoggerMessage(EventId = 22, EventName = "CacheWatchRestarted", Level = LogLevel.Information, Message = "Watching registry {Registry} again; cached entries are refreshed on their next lookup")]
    public static partial void CacheWatchRestarted(ILogger logger, string registry);
}
