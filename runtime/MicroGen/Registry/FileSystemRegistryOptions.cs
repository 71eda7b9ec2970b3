using System;
using Microsoft.Extensions.Logging;

namespace MicroGen.Registry;

/// <summary>Options of the <see cref="FileSystemRegistry"/>.</summary>
public sealed class FileSystemRegistryOptions
{
    /// <summary>The default interval between two scans of a watched folder: 2 seconds.</summary>
    public static readonly TimeSpan DefaultPollInterval = TimeSpan.FromSeconds(2);

    /// <summary>The default time an expired document is kept before a reader deletes it: 1 minute.</summary>
    public static readonly TimeSpan DefaultExpiredRetention = TimeSpan.FromMinutes(1);

    /// <summary>
    /// The folder holding the registry. Defaults to the <c>MICROGEN_REGISTRY_DIR</c> environment
    /// variable when set, else to a per-user folder (see <see cref="FileSystemRegistry.GetDefaultDirectory"/>).
    /// Every process that should find the others must use the same folder.
    /// </summary>
    public string? Directory { get; set; }

    /// <summary>
    /// How often a watch rescans the folder even without a file-system notification. Polling is what
    /// notices expired registrations (producing <see cref="RegistryEventKind.Delete"/> events) and
    /// what keeps watches working where notifications are unreliable (network shares, containers).
    /// Defaults to <see cref="DefaultPollInterval"/>.
    /// </summary>
    public TimeSpan PollInterval { get; set; } = DefaultPollInterval;

    /// <summary>
    /// Whether watches use a <see cref="System.IO.FileSystemWatcher"/> to notice changes at once.
    /// When false, or when the platform refuses a watcher, watches rely on polling alone.
    /// Defaults to <see langword="true"/>.
    /// </summary>
    public bool UseFileSystemWatcher { get; set; } = true;

    /// <summary>
    /// How long a document stays on disk after it expired before a reader deletes it. Expired
    /// documents are ignored at once; the grace period only tolerates clock skew between processes
    /// and keeps a late heartbeat from racing with the deletion. Defaults to <see cref="DefaultExpiredRetention"/>.
    /// </summary>
    public TimeSpan ExpiredRetention { get; set; } = DefaultExpiredRetention;

    /// <summary>Where warnings (corrupt documents, I/O failures) go. Defaults to no logging.</summary>
    public ILoggerFactory? LoggerFactory { get; set; }

    /// <summary>The clock deciding expiry and polling. Defaults to <see cref="TimeProvider.System"/>.</summary>
    public TimeProvider? TimeProvider { get; set; }
}
