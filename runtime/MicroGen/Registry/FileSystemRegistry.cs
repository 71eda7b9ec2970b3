using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.IO;
using System.Runtime.CompilerServices;
using System.Threading;
using System.Threading.Channels;
using System.Threading.Tasks;
using MicroGen.Registry.Internal;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace MicroGen.Registry;

/// <summary>
/// The embedded default registry: processes on one machine find each other through a shared
/// folder holding one JSON document per node (<c>&lt;dir&gt;/&lt;service&gt;/&lt;nodeId&gt;.json</c>),
/// each with an absolute expiry time. Zero set-up: no server to run.
/// </summary>
/// <remarks>
/// <para>
/// Documents are written atomically (a temporary file in the same folder, then a rename over the
/// old document), so a reader in another process sees either the old or the new document, never a
/// partial one. Readers tolerate documents that vanish mid-read, retry briefly on sharing
/// violations, and skip a corrupt document with a logged warning.
/// </para>
/// <para>
/// Watches combine a <see cref="FileSystemWatcher"/> (prompt) with polling every
/// <see cref="FileSystemRegistryOptions.PollInterval"/> (which also notices expiry), and report
/// changes by comparing snapshots, so a burst of notifications yields each change once.
/// </para>
/// <para>
/// A node id names one document per service: registering the same node id under two versions of
/// one service keeps only the last one.
/// </para>
/// </remarks>
public sealed class FileSystemRegistry : IRegistry
{
    /// <summary>The environment variable naming the registry folder when the options do not.</summary>
    public const string DirectoryEnvironmentVariable = "MICROGEN_REGISTRY_DIR";

    private const string DocumentExtension = ".json";
    private const string DocumentPattern = "*.json";
    private const string TempExtension = ".tmp";
    private const string TempPattern = "*.tmp";
    private const int IoAttempts = 6;
    private static readonly TimeSpan IoRetryDelay = TimeSpan.FromMilliseconds(10);
    private static readonly TimeSpan TempFileMaxAge = TimeSpan.FromMinutes(1);
    private static readonly TimeSpan MinimumWake = TimeSpan.FromMilliseconds(10);

    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly bool _isDefaultDirectory;
    private readonly CancellationTokenSource _disposed = new();
    private readonly List<ChannelWriter<bool>> _watchKicks = new();
    // Corrupt documents already reported, by path and last write time: each is warned about once.
    private readonly ConcurrentDictionary<string, DateTime> _reportedCorrupt = new(StringComparer.Ordinal);

    /// <summary>Creates a registry on the folder chosen by <paramref name="options"/>.</summary>
    public FileSystemRegistry(FileSystemRegistryOptions? options = null)
    {
        Options = options ?? new FileSystemRegistryOptions();
        if (Options.PollInterval <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(options), Options.PollInterval, "PollInterval must be positive.");
        }
        if (Options.ExpiredRetention < TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(options), Options.ExpiredRetention, "ExpiredRetention must not be negative.");
        }
        _isDefaultDirectory = string.IsNullOrWhiteSpace(Options.Directory);
        RootDirectory = Path.TrimEndingDirectorySeparator(Path.GetFullPath(_isDefaultDirectory ? GetDefaultDirectory() : Options.Directory!));
        _time = Options.TimeProvider ?? TimeProvider.System;
        _logger = Options.LoggerFactory?.CreateLogger<FileSystemRegistry>() ?? NullLogger<FileSystemRegistry>.Instance;
    }

    /// <summary>The registry's options.</summary>
    public FileSystemRegistryOptions Options { get; }

    /// <summary>The absolute path of the folder holding the registry; created on first use.</summary>
    public string RootDirectory { get; }

    /// <inheritdoc/>
    public string Name => "file";

    /// <summary>
    /// The folder used when <see cref="FileSystemRegistryOptions.Directory"/> is not set: the
    /// <see cref="DirectoryEnvironmentVariable"/> environment variable when set, else
    /// <c>microgen/registry</c> under the user's local application data folder (for example
    /// <c>~/.local/share/microgen/registry</c>), else <c>microgen-registry-&lt;user&gt;</c> under the
    /// temporary folder (<c>$TMPDIR</c>).
    /// </summary>
    public static string GetDefaultDirectory()
    {
        var configured = Environment.GetEnvironmentVariable(DirectoryEnvironmentVariable);
        if (!string.IsNullOrWhiteSpace(configured))
        {
            return Path.GetFullPath(configured);
        }
        var local = Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData, Environment.SpecialFolderOption.DoNotVerify);
        if (!string.IsNullOrEmpty(local))
        {
            return Path.Combine(local, "microgen", "registry");
        }
        return Path.Combine(Path.GetTempPath(), "microgen-registry-" + FileNames.Encode(Environment.UserName is { Length: > 0 } user ? user : "user"));
    }

    /// <inheritdoc/>
    public async ValueTask RegisterAsync(ServiceInfo service, RegisterOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(service);
        ArgumentException.ThrowIfNullOrEmpty(service.Name);
        var ttl = (options ?? RegisterOptions.Default).Ttl;
        if (ttl <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(options), ttl, "The TTL must be positive.");
        }
        var now = _time.GetUtcNow();
        var directory = ServiceDirectory(service.Name);
        foreach (var node in service.Nodes)
        {
            ArgumentNullException.ThrowIfNull(node);
            var document = new NodeDocument(service with { Nodes = new[] { node } }, now, now + ttl);
            await WriteAtomicallyAsync(directory, DocumentPath(directory, node.Id), document.ToUtf8(), cancellationToken).ConfigureAwait(false);
        }
        DeleteStaleTempFiles(directory);
        KickWatches();
    }

    /// <inheritdoc/>
    public async ValueTask DeregisterAsync(ServiceInfo service, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(service);
        ArgumentException.ThrowIfNullOrEmpty(service.Name);
        var directory = ServiceDirectory(service.Name);
        foreach (var node in service.Nodes)
        {
            var path = DocumentPath(directory, node.Id);
            var bytes = await ReadFileAsync(path, cancellationToken).ConfigureAwait(false);
            if (bytes is null)
            {
                continue;
            }
            // Leave a registration of another version alone, as the in-memory registry does.
            var document = NodeDocument.TryParse(bytes, out _);
            if (document is not null && (document.Service.Name != service.Name || document.Service.Version != service.Version))
            {
                continue;
            }
            await DeleteFileAsync(path, cancellationToken).ConfigureAwait(false);
        }
        KickWatches();
    }

    /// <inheritdoc/>
    public async ValueTask<IReadOnlyList<ServiceInfo>> GetServiceAsync(string name, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        var documents = new List<NodeDocument>();
        await ReadServiceDirectoryAsync(ServiceDirectory(name), name, documents, cancellationToken).ConfigureAwait(false);
        return Group(documents);
    }

    /// <inheritdoc/>
    public async ValueTask<IReadOnlyList<ServiceInfo>> ListServicesAsync(CancellationToken cancellationToken = default)
    {
        var documents = new List<NodeDocument>();
        foreach (var directory in ServiceDirectories())
        {
            await ReadServiceDirectoryAsync(directory, null, documents, cancellationToken).ConfigureAwait(false);
        }
        return Group(documents);
    }

    /// <inheritdoc/>
    /// <remarks>
    /// The starting snapshot is taken when the enumeration starts (the first <c>MoveNextAsync</c>),
    /// so changes made after that call are reported. The enumeration ends when
    /// <paramref name="cancellationToken"/> fires or the registry is disposed.
    /// </remarks>
    public async IAsyncEnumerable<RegistryEvent> WatchAsync(string? service = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _disposed.Token);
        var token = linked.Token;
        var kick = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite, SingleReader = true });
        lock (_watchKicks)
        {
            _watchKicks.Add(kick.Writer);
        }
        // The notifications start before the first snapshot so that no change falls between them.
        using var watcher = StartFileSystemWatcher(service, kick.Writer);
        try
        {
            var snapshot = await TrySnapshotAsync(service, null, token).ConfigureAwait(false);
            while (snapshot is not null && !token.IsCancellationRequested)
            {
                if (!await WaitForChangeAsync(kick.Reader, NextWake(snapshot), token).ConfigureAwait(false))
                {
                    break;
                }
                var next = await TrySnapshotAsync(service, snapshot, token).ConfigureAwait(false);
                if (next is null)
                {
                    break;
                }
                var events = Diff(snapshot, next);
                snapshot = next;
                foreach (var evt in events)
                {
                    yield return evt;
                }
            }
        }
        finally
        {
            lock (_watchKicks)
            {
                _watchKicks.Remove(kick.Writer);
            }
        }
    }

    /// <summary>Stops every watch. Registrations stay on disk until deregistered or expired.</summary>
    public ValueTask DisposeAsync()
    {
        if (!_disposed.IsCancellationRequested)
        {
            _disposed.Cancel();
        }
        return ValueTask.CompletedTask;
    }

    private string ServiceDirectory(string service) => Path.Combine(RootDirectory, FileNames.Encode(service));

    private static string DocumentPath(string directory, string nodeId) => Path.Combine(directory, FileNames.Encode(nodeId) + DocumentExtension);

    private void EnsureDirectory(string directory)
    {
        if (_isDefaultDirectory && !OperatingSystem.IsWindows() && !Directory.Exists(RootDirectory))
        {
            // The default folder is per user: keep other users out of it.
            Directory.CreateDirectory(RootDirectory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
        Directory.CreateDirectory(directory);
    }

    private string[] ServiceDirectories()
    {
        try
        {
            return Directory.GetDirectories(RootDirectory);
        }
        catch (DirectoryNotFoundException)
        {
            return Array.Empty<string>();
        }
    }

    private async ValueTask WriteAtomicallyAsync(string directory, string path, byte[] bytes, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            string? temp = null;
            try
            {
                EnsureDirectory(directory);
                // Same folder, so the rename is atomic; a leading dot and another extension keep
                // readers from ever opening it as a document.
                temp = Path.Combine(directory, "." + Path.GetFileName(path) + "." + Guid.NewGuid().ToString("N") + TempExtension);
                using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 1))
                {
                    stream.Write(bytes);
                }
                File.Move(temp, path, overwrite: true);
                temp = null;
                return;
            }
            catch (Exception e) when (IsTransient(e) && attempt < IoAttempts)
            {
                // Another process is replacing or reading the document (sharing violation on
                // Windows), or removed the folder between our steps: try again shortly.
            }
            finally
            {
                if (temp is not null)
                {
                    TryDelete(temp);
                }
            }
            await Task.Delay(IoRetryDelay * attempt, _time, cancellationToken).ConfigureAwait(false);
        }
    }

    private async ValueTask DeleteFileAsync(string path, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                File.Delete(path);
                return;
            }
            catch (DirectoryNotFoundException)
            {
                return;
            }
            catch (Exception e) when (IsTransient(e) && attempt < IoAttempts)
            {
            }
            await Task.Delay(IoRetryDelay * attempt, _time, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Reads a whole file; <see langword="null"/> when it does not exist (any more) or stays unreadable.</summary>
    private async ValueTask<byte[]?> ReadFileAsync(string path, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                // FileShare.Delete lets a writer rename over the document while we read it (Windows).
                using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, bufferSize: 1);
                if (stream.Length > NodeDocument.MaxDocumentBytes)
                {
                    return Array.Empty<byte>();
                }
                using var memory = new MemoryStream((int)stream.Length);
                stream.CopyTo(memory);
                return memory.ToArray();
            }
            catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
            {
                return null;
            }
            catch (Exception e) when (IsTransient(e) && attempt < IoAttempts)
            {
            }
            catch (Exception e) when (IsTransient(e))
            {
                RegistryLog.ReadFailed(_logger, path, e);
                return null;
            }
            await Task.Delay(IoRetryDelay * attempt, _time, cancellationToken).ConfigureAwait(false);
        }
    }

    private async ValueTask ReadServiceDirectoryAsync(string directory, string? expectedName, List<NodeDocument> into, CancellationToken cancellationToken)
    {
        string[] files;
        try
        {
            files = Directory.GetFiles(directory, DocumentPattern);
        }
        catch (DirectoryNotFoundException)
        {
            return;
        }
        var now = _time.GetUtcNow();
        foreach (var file in files)
        {
            var bytes = await ReadFileAsync(file, cancellationToken).ConfigureAwait(false);
            if (bytes is null)
            {
                continue;
            }
            var document = NodeDocument.TryParse(bytes, out var error);
            if (document is null)
            {
                ReportCorrupt(file, bytes.Length == 0 ? "empty or oversized document" : error ?? "invalid document");
                continue;
            }
            // On a case-insensitive file system two service names may share a folder.
            if (expectedName is not null && !string.Equals(document.Service.Name, expectedName, StringComparison.Ordinal))
            {
                continue;
            }
            if (document.Expires <= now)
            {
                if (now - document.Expires > Options.ExpiredRetention)
                {
                    RemoveExpired(file);
                }
                continue;
            }
            into.Add(document);
        }
    }

    private void ReportCorrupt(string path, string reason)
    {
        DateTime written;
        try
        {
            written = File.GetLastWriteTimeUtc(path);
        }
        catch (Exception e) when (IsTransient(e))
        {
            written = default;
        }
        if (_reportedCorrupt.TryGetValue(path, out var reported) && reported == written)
        {
            RegistryLog.CorruptDocumentAgain(_logger, path, reason);
            return;
        }
        _reportedCorrupt[path] = written;
        RegistryLog.CorruptDocument(_logger, path, reason);
    }

    /// <summary>
    /// Deletes a long-expired document without losing a refresh that another process writes at the
    /// same moment: the document is first moved aside, and put back if it turns out to be fresh.
    /// </summary>
    private void RemoveExpired(string path)
    {
        var aside = Path.Combine(Path.GetDirectoryName(path)!, "." + Path.GetFileName(path) + "." + Guid.NewGuid().ToString("N") + TempExtension);
        try
        {
            File.Move(path, aside);
        }
        catch (Exception e) when (IsTransient(e))
        {
            return; // gone already, or in use: a later reader retries
        }
        try
        {
            var moved = NodeDocument.TryParse(File.ReadAllBytes(aside), out _);
            if (moved is not null && _time.GetUtcNow() - moved.Expires <= Options.ExpiredRetention)
            {
                // A heartbeat replaced the document between our read and our move: restore it,
                // unless an even newer one already took its place.
                File.Move(aside, path, overwrite: false);
                return;
            }
        }
        catch (Exception e) when (IsTransient(e))
        {
        }
        TryDelete(aside);
    }

    private void DeleteStaleTempFiles(string directory)
    {
        try
        {
            var cutoff = DateTime.UtcNow - TempFileMaxAge;
            foreach (var file in Directory.GetFiles(directory, TempPattern))
            {
                // Left behind by a writer that died between writing and renaming.
                if (File.GetLastWriteTimeUtc(file) < cutoff)
                {
                    TryDelete(file);
                }
            }
        }
        catch (Exception e) when (IsTransient(e))
        {
        }
    }

    private void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception e) when (IsTransient(e))
        {
            RegistryLog.CleanupFailed(_logger, path, e);
        }
    }

    private static bool IsTransient(Exception e) => e is IOException or UnauthorizedAccessException;

    private static List<ServiceInfo> Group(List<NodeDocument> documents)
    {
        // Documents sorted by service, version, node id: the grouping below then emits services and
        // nodes in a stable order, whatever order the file system listed them in.
        documents.Sort(static (a, b) =>
        {
            var order = string.CompareOrdinal(a.Service.Name, b.Service.Name);
            if (order == 0)
            {
                order = string.CompareOrdinal(a.Service.Version, b.Service.Version);
            }
            return order != 0 ? order : string.CompareOrdinal(a.Node.Id, b.Node.Id);
        });
        var result = new List<ServiceInfo>();
        for (var start = 0; start < documents.Count;)
        {
            var end = start;
            var latest = documents[start];
            var nodes = new List<Node>();
            while (end < documents.Count
                && documents[end].Service.Name == documents[start].Service.Name
                && documents[end].Service.Version == documents[start].Service.Version)
            {
                // The most recent registration speaks for the version's metadata and endpoints.
                if (documents[end].Registered > latest.Registered)
                {
                    latest = documents[end];
                }
                nodes.Add(documents[end].Node);
                end++;
            }
            result.Add(latest.Service with { Nodes = nodes });
            start = end;
        }
        return result;
    }

    // ---- watching ----

    private void KickWatches()
    {
        lock (_watchKicks)
        {
            foreach (var kick in _watchKicks)
            {
                kick.TryWrite(true);
            }
        }
    }

    private FileSystemWatcher? StartFileSystemWatcher(string? service, ChannelWriter<bool> kick)
    {
        if (!Options.UseFileSystemWatcher)
        {
            return null;
        }
        FileSystemWatcher? watcher = null;
        try
        {
            EnsureDirectory(RootDirectory);
            var serviceDirectory = service is null ? null : ServiceDirectory(service);
            watcher = new FileSystemWatcher(RootDirectory)
            {
                IncludeSubdirectories = true,
                NotifyFilter = NotifyFilters.FileName | NotifyFilters.DirectoryName | NotifyFilters.LastWrite,
            };
            void OnChange(object sender, FileSystemEventArgs e)
            {
                // Every notification only triggers a rescan; the snapshot comparison decides what changed.
                if (serviceDirectory is null
                    || e.FullPath.StartsWith(serviceDirectory + Path.DirectorySeparatorChar, StringComparison.Ordinal)
                    || string.Equals(e.FullPath, serviceDirectory, StringComparison.Ordinal)
                    || string.Equals(Path.GetDirectoryName(e.FullPath), RootDirectory, StringComparison.Ordinal))
                {
                    kick.TryWrite(true);
                }
            }
            watcher.Created += OnChange;
            watcher.Changed += OnChange;
            watcher.Deleted += OnChange;
            watcher.Renamed += OnChange;
            watcher.Error += (_, e) =>
            {
                // Typically an overflow of the notification buffer: a full rescan recovers.
                RegistryLog.WatcherError(_logger, RootDirectory, e.GetException());
                kick.TryWrite(true);
            };
            watcher.EnableRaisingEvents = true;
            return watcher;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or PlatformNotSupportedException or ArgumentException)
        {
            // For example the per-user inotify instance limit on Linux: polling still works.
            watcher?.Dispose();
            RegistryLog.WatcherUnavailable(_logger, RootDirectory, Options.PollInterval, e);
            return null;
        }
    }

    private async ValueTask<bool> WaitForChangeAsync(ChannelReader<bool> kicks, TimeSpan wake, CancellationToken cancellationToken)
    {
        if (!kicks.TryRead(out _))
        {
            using var wait = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var delay = Task.Delay(wake, _time, wait.Token);
            var kicked = kicks.WaitToReadAsync(wait.Token).AsTask();
            await Task.WhenAny(delay, kicked).ConfigureAwait(false);
            wait.Cancel();
            kicks.TryRead(out _);
        }
        return !cancellationToken.IsCancellationRequested;
    }

    private TimeSpan NextWake(Dictionary<string, NodeDocument> snapshot)
    {
        var wake = Options.PollInterval;
        if (snapshot.Count > 0)
        {
            var now = _time.GetUtcNow();
            foreach (var document in snapshot.Values)
            {
                var untilExpiry = document.Expires - now;
                if (untilExpiry < wake)
                {
                    wake = untilExpiry;
                }
            }
        }
        // Wake just after the earliest expiry, so the Delete event is not a poll interval late.
        return wake < TimeSpan.Zero ? MinimumWake : wake + MinimumWake;
    }

    /// <summary>The live documents by key; <see langword="null"/> when the watch was cancelled.</summary>
    private async ValueTask<Dictionary<string, NodeDocument>?> TrySnapshotAsync(string? service, Dictionary<string, NodeDocument>? previous, CancellationToken cancellationToken)
    {
        var documents = new List<NodeDocument>();
        try
        {
            if (service is null)
            {
                foreach (var directory in ServiceDirectories())
                {
                    await ReadServiceDirectoryAsync(directory, null, documents, cancellationToken).ConfigureAwait(false);
                }
            }
            else
            {
                await ReadServiceDirectoryAsync(ServiceDirectory(service), service, documents, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return null;
        }
        catch (Exception e) when (IsTransient(e))
        {
            RegistryLog.ScanFailed(_logger, RootDirectory, e);
            return previous ?? new Dictionary<string, NodeDocument>(StringComparer.Ordinal);
        }
        var snapshot = new Dictionary<string, NodeDocument>(documents.Count, StringComparer.Ordinal);
        foreach (var document in documents)
        {
            snapshot[document.Service.Name + "\n" + document.Service.Version + "\n" + document.Node.Id] = document;
        }
        return snapshot;
    }

    private static List<RegistryEvent> Diff(Dictionary<string, NodeDocument> before, Dictionary<string, NodeDocument> after)
    {
        var events = new List<RegistryEvent>();
        foreach (var (key, document) in after)
        {
            if (!before.TryGetValue(key, out var previous))
            {
                events.Add(new RegistryEvent(RegistryEventKind.Create, document.Service));
            }
            else if (!previous.Service.Equals(document.Service))
            {
                events.Add(new RegistryEvent(RegistryEventKind.Update, document.Service));
            }
        }
        foreach (var (key, document) in before)
        {
            if (!after.ContainsKey(key))
            {
                events.Add(new RegistryEvent(RegistryEventKind.Delete, document.Service));
            }
        }
        return events;
    }
}
