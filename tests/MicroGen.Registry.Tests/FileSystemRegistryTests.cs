using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using MicroGen.Registry;
using Microsoft.Extensions.Logging;
using NUnit.Framework;

namespace MicroGen.Registry.Tests;

[TestFixture]
public sealed class FileSystemRegistryTests
{
    private TempDirectory _dir = null!;
    private readonly List<IAsyncDisposable> _disposables = new();

    [SetUp]
    public void SetUp() => _dir = new TempDirectory();

    [TearDown]
    public async Task TearDown()
    {
        foreach (var disposable in Enumerable.Reverse(_disposables))
        {
            await disposable.DisposeAsync();
        }
        _disposables.Clear();
        _dir.Dispose();
    }

    private FileSystemRegistry Create(Action<FileSystemRegistryOptions>? configure = null, string? directory = null)
    {
        var options = new FileSystemRegistryOptions { Directory = directory ?? _dir.Path };
        configure?.Invoke(options);
        var registry = new FileSystemRegistry(options);
        _disposables.Add(registry);
        return registry;
    }

    private EventRecorder Watch(IRegistry registry, string? service = null)
    {
        var recorder = new EventRecorder(registry, service);
        _disposables.Add(recorder);
        return recorder;
    }

    [Test]
    public async Task RegisterAsync_FullService_LookupReturnsEveryField()
    {
        // Arrange
        await using var registry = Create();
        var service = Services.Full();

        // Act
        await registry.RegisterAsync(service);
        var found = await registry.GetServiceAsync("greeter");

        // Assert
        Assert.That(found, Has.Count.EqualTo(1));
        Assert.That(found[0], Is.EqualTo(service));
        Assert.That(found[0].Endpoints[1].Response, Is.Null);
        Assert.That(registry.Name, Is.EqualTo("file"));
    }

    [Test]
    public async Task DeregisterAsync_RegisteredNode_LookupIsEmptyAndFileRemoved()
    {
        // Arrange
        var registry = Create();
        var service = Services.Full();
        await registry.RegisterAsync(service);

        // Act
        await registry.DeregisterAsync(service);

        // Assert
        Assert.That(await registry.GetServiceAsync("greeter"), Is.Empty);
        Assert.That(Directory.GetFiles(Path.Combine(_dir.Path, "greeter")), Is.Empty);
    }

    [Test]
    public async Task DeregisterAsync_OtherVersion_LeavesNodeRegistered()
    {
        // Arrange
        var registry = Create();
        await registry.RegisterAsync(Services.Make("svc", "n1", version: "1.0.0"));

        // Act
        await registry.DeregisterAsync(Services.Make("svc", "n1", version: "9.9.9"));

        // Assert
        Assert.That((await registry.GetServiceAsync("svc")).Single().Nodes.Single().Id, Is.EqualTo("n1"));
    }

    [Test]
    public async Task GetServiceAsync_UnknownService_ReturnsEmpty()
    {
        var registry = Create();

        var found = await registry.GetServiceAsync("nobody");

        Assert.That(found, Is.Empty);
    }

    [Test]
    public async Task GetServiceAsync_TwoVersionsThreeNodes_OneServiceInfoPerVersionWithSortedNodes()
    {
        // Arrange
        var registry = Create();
        await registry.RegisterAsync(Services.Make("svc", "b", version: "1.0.0"));
        await registry.RegisterAsync(Services.Make("svc", "a", version: "1.0.0"));
        await registry.RegisterAsync(Services.Make("svc", "c", version: "2.0.0"));

        // Act
        var found = await registry.GetServiceAsync("svc");

        // Assert
        Assert.That(found.Select(s => s.Version), Is.EqualTo(new[] { "1.0.0", "2.0.0" }));
        Assert.That(found[0].Nodes.Select(n => n.Id), Is.EqualTo(new[] { "a", "b" }));
        Assert.That(found[1].Nodes.Select(n => n.Id), Is.EqualTo(new[] { "c" }));
    }

    [Test]
    public async Task ListServicesAsync_TwoServices_ListsBothSortedByName()
    {
        var registry = Create();
        await registry.RegisterAsync(Services.Make("zeta", "z1"));
        await registry.RegisterAsync(Services.Make("alpha", "a1"));

        var list = await registry.ListServicesAsync();

        Assert.That(list.Select(s => s.Name), Is.EqualTo(new[] { "alpha", "zeta" }));
    }

    [Test]
    public async Task RegisterAsync_Document_HasDocumentedJsonFormat()
    {
        // Arrange
        var time = new ManualTimeProvider();
        var registry = Create(o => o.TimeProvider = time);

        // Act
        await registry.RegisterAsync(Services.Full(), Services.Ttl(TimeSpan.FromSeconds(30)));

        // Assert
        var path = Path.Combine(_dir.Path, "greeter", "greeter-1.json");
        using var json = JsonDocument.Parse(File.ReadAllBytes(path));
        var root = json.RootElement;
        Assert.That(root.GetProperty("format").GetInt32(), Is.EqualTo(1));
        Assert.That(root.GetProperty("service").GetString(), Is.EqualTo("greeter"));
        Assert.That(root.GetProperty("version").GetString(), Is.EqualTo("2.1.0"));
        Assert.That(root.GetProperty("metadata").GetProperty("team").GetString(), Is.EqualTo("core"));
        Assert.That(root.GetProperty("endpoints")[0].GetProperty("name").GetString(), Is.EqualTo("Greeter.SayHello"));
        Assert.That(root.GetProperty("endpoints")[0].GetProperty("metadata").GetProperty("idempotent").GetString(), Is.EqualTo("true"));
        Assert.That(root.GetProperty("node").GetProperty("id").GetString(), Is.EqualTo("greeter-1"));
        Assert.That(root.GetProperty("node").GetProperty("address").GetString(), Is.EqualTo("127.0.0.1:52311"));
        Assert.That(root.GetProperty("node").GetProperty("metadata").GetProperty("transport").GetString(), Is.EqualTo("tcp"));
        Assert.That(root.GetProperty("registered").GetDateTimeOffset(), Is.EqualTo(time.GetUtcNow()));
        Assert.That(root.GetProperty("expires").GetDateTimeOffset(), Is.EqualTo(time.GetUtcNow().AddSeconds(30)));
        Assert.That(root.GetProperty("expires").GetString(), Does.EndWith("Z"));
    }

    [Test]
    public async Task RegisterAsync_NamesWithPathCharacters_StayInsideTheFolderAndStayDistinct()
    {
        // Arrange
        var registry = Create();
        string[] names = ["../evil", "a/b", "a_b", "a%2Fb", ".hidden", "CON", "ünï"];

        // Act
        foreach (var name in names)
        {
            await registry.RegisterAsync(Services.Make(name, "../node/" + name));
        }

        // Assert
        foreach (var name in names)
        {
            var found = await registry.GetServiceAsync(name);
            Assert.That(found.Single().Nodes.Single().Id, Is.EqualTo("../node/" + name), name);
        }
        Assert.That(Directory.GetFiles(_dir.Path, "*.json", SearchOption.AllDirectories), Has.Length.EqualTo(names.Length));
        Assert.That(Directory.GetFileSystemEntries(Path.GetDirectoryName(_dir.Path)!).Any(e => e.Contains("evil", StringComparison.Ordinal)), Is.False);
    }

    [Test]
    public async Task RegisterAsync_ShortTtl_NodeIgnoredAfterExpiry()
    {
        // Arrange
        var registry = Create();
        await registry.RegisterAsync(Services.Make("svc", "n1"), Services.Ttl(TimeSpan.FromMilliseconds(300)));
        Assert.That(await registry.GetServiceAsync("svc"), Is.Not.Empty);

        // Act + Assert
        await Eventually.HoldsAsync(async () => (await registry.GetServiceAsync("svc")).Count == 0, "the node expired");
        Assert.That(await registry.ListServicesAsync(), Is.Empty);
    }

    [Test]
    public async Task RegisterAsync_Reregister_RefreshesExpiry()
    {
        // Arrange
        var time = new ManualTimeProvider();
        var registry = Create(o => o.TimeProvider = time);
        var ttl = Services.Ttl(TimeSpan.FromSeconds(10));
        await registry.RegisterAsync(Services.Make("svc", "n1"), ttl);
        time.Advance(TimeSpan.FromSeconds(8));

        // Act
        await registry.RegisterAsync(Services.Make("svc", "n1"), ttl);
        time.Advance(TimeSpan.FromSeconds(8)); // 16 s after the first registration, 8 s after the refresh

        // Assert
        Assert.That(await registry.GetServiceAsync("svc"), Is.Not.Empty, "the refresh extended the expiry");
        time.Advance(TimeSpan.FromSeconds(3)); // 11 s after the refresh
        Assert.That(await registry.GetServiceAsync("svc"), Is.Empty, "the refreshed registration expired in turn");
    }

    [Test]
    public async Task GetServiceAsync_DocumentExpiredBeyondRetention_IsDeletedFromDisk()
    {
        // Arrange
        var time = new ManualTimeProvider();
        var registry = Create(o =>
        {
            o.TimeProvider = time;
            o.ExpiredRetention = TimeSpan.FromSeconds(5);
        });
        await registry.RegisterAsync(Services.Make("svc", "n1"), Services.Ttl(TimeSpan.FromSeconds(1)));
        var path = Path.Combine(_dir.Path, "svc", "n1.json");

        // Act
        time.Advance(TimeSpan.FromSeconds(3));
        await registry.GetServiceAsync("svc");
        var keptWithinRetention = File.Exists(path);
        time.Advance(TimeSpan.FromSeconds(5));
        await registry.GetServiceAsync("svc");

        // Assert
        Assert.That(keptWithinRetention, Is.True);
        Assert.That(File.Exists(path), Is.False);
        Assert.That(Directory.GetFiles(Path.Combine(_dir.Path, "svc")), Is.Empty, "no temporary file is left behind");
    }

    [Test]
    public async Task WatchAsync_ShortTtl_DeleteEventOnExpiry()
    {
        // Arrange
        var registry = Create(o => o.PollInterval = TimeSpan.FromMilliseconds(100));
        var events = Watch(registry, "svc");
        await registry.RegisterAsync(Services.Make("svc", "n1"), Services.Ttl(TimeSpan.FromMilliseconds(300)));
        Assert.That((await events.NextAsync()).Kind, Is.EqualTo(RegistryEventKind.Create));

        // Act
        var expired = await events.NextAsync();

        // Assert
        Assert.That(expired.Kind, Is.EqualTo(RegistryEventKind.Delete));
        Assert.That(expired.Service.Nodes.Single().Id, Is.EqualTo("n1"));
    }

    [Test]
    public async Task WatchAsync_FileSystemWatcherOnly_ReportsCreateUpdateDeleteFromAnotherInstance()
    {
        // Arrange: polling so slow that only file-system notifications can deliver the events in time
        // (and a trailing separator on the folder, which must not confuse the notification filter).
        var watching = Create(o => o.PollInterval = TimeSpan.FromMinutes(10), directory: _dir.Path + Path.DirectorySeparatorChar);
        Assert.That(watching.RootDirectory, Is.EqualTo(_dir.Path));
        var writer = Create();
        var events = Watch(watching, "svc");

        // Act + Assert
        await AssertCreateUpdateDeleteAsync(writer, events);
    }

    [Test]
    public async Task WatchAsync_PollingOnly_ReportsCreateUpdateDeleteFromAnotherInstance()
    {
        // Arrange
        var watching = Create(o =>
        {
            o.UseFileSystemWatcher = false;
            o.PollInterval = TimeSpan.FromMilliseconds(100);
        });
        var writer = Create();
        var events = Watch(watching, "svc");

        // Act + Assert
        await AssertCreateUpdateDeleteAsync(writer, events);
    }

    [Test]
    public async Task WatchAsync_SameInstanceWithoutWatcherOrPolling_ReportsLocalChangesAtOnce()
    {
        // Arrange
        var registry = Create(o =>
        {
            o.UseFileSystemWatcher = false;
            o.PollInterval = TimeSpan.FromMinutes(10);
        });
        var events = Watch(registry, "svc");

        // Act + Assert
        await AssertCreateUpdateDeleteAsync(registry, events);
    }

    private static async Task AssertCreateUpdateDeleteAsync(IRegistry writer, EventRecorder events)
    {
        var v1 = Services.Make("svc", "n1", nodeMetadata: new Dictionary<string, string> { ["gen"] = "1" });
        var v2 = Services.Make("svc", "n1", nodeMetadata: new Dictionary<string, string> { ["gen"] = "2" });

        await writer.RegisterAsync(v1);
        var created = await events.NextAsync();
        Assert.That(created.Kind, Is.EqualTo(RegistryEventKind.Create));
        Assert.That(created.Service, Is.EqualTo(v1));

        await writer.RegisterAsync(v2);
        var updated = await events.NextAsync();
        Assert.That(updated.Kind, Is.EqualTo(RegistryEventKind.Update));
        Assert.That(updated.Service, Is.EqualTo(v2));

        await writer.DeregisterAsync(v2);
        var deleted = await events.NextAsync();
        Assert.That(deleted.Kind, Is.EqualTo(RegistryEventKind.Delete));
        Assert.That(deleted.Service.Nodes.Single().Id, Is.EqualTo("n1"));
    }

    [Test]
    public async Task WatchAsync_RefreshWithSameData_ReportsNoUpdate()
    {
        // Arrange
        var registry = Create(o => o.PollInterval = TimeSpan.FromMilliseconds(50));
        var events = Watch(registry, "svc");
        await registry.RegisterAsync(Services.Make("svc", "n1"));
        Assert.That((await events.NextAsync()).Kind, Is.EqualTo(RegistryEventKind.Create));

        // Act: a heartbeat changes only the expiry, then a real change follows.
        await registry.RegisterAsync(Services.Make("svc", "n1"));
        var quiet = await events.DrainAfterQuietAsync();
        await registry.RegisterAsync(Services.Make("svc", "n1", address: "127.0.0.1:2000"));

        // Assert
        Assert.That(quiet, Is.Empty);
        var next = await events.NextAsync();
        Assert.That(next.Kind, Is.EqualTo(RegistryEventKind.Update));
        Assert.That(next.Service.Nodes.Single().Address, Is.EqualTo("127.0.0.1:2000"));
    }

    [Test]
    public async Task WatchAsync_ServiceFilter_ReportsOnlyThatService()
    {
        // Arrange
        var registry = Create(o => o.PollInterval = TimeSpan.FromMilliseconds(50));
        var events = Watch(registry, "wanted");

        // Act
        await registry.RegisterAsync(Services.Make("other", "o1"));
        await registry.RegisterAsync(Services.Make("wanted", "w1"));

        // Assert
        var evt = await events.NextAsync();
        Assert.That(evt.Service.Name, Is.EqualTo("wanted"));
        Assert.That(await events.DrainAfterQuietAsync(), Is.Empty);
    }

    [Test]
    public async Task WatchAsync_AllServices_ReportsEveryService()
    {
        var registry = Create();
        var events = Watch(registry);

        await registry.RegisterAsync(Services.Make("one", "1"));
        await registry.RegisterAsync(Services.Make("two", "2"));

        var names = new[] { (await events.NextAsync()).Service.Name, (await events.NextAsync()).Service.Name };
        Assert.That(names, Is.EquivalentTo(new[] { "one", "two" }));
    }

    [Test]
    public async Task WatchAsync_RegistryDisposed_EnumerationEnds()
    {
        var registry = Create();
        var events = Watch(registry);

        await registry.DisposeAsync();

        await events.Completion.WaitAsync(Timeouts.Wait);
        Assert.That(events.Ended, Is.True);
    }

    [Test]
    public async Task IsolatedFolders_TwoRegistries_DoNotSeeEachOther()
    {
        // Arrange
        using var other = new TempDirectory();
        var a = Create();
        var b = Create(directory: other.Path);
        var bEvents = Watch(b, "svc");

        // Act
        await a.RegisterAsync(Services.Make("svc", "a1"));

        // Assert
        Assert.That(await b.GetServiceAsync("svc"), Is.Empty);
        Assert.That(await b.ListServicesAsync(), Is.Empty);
        Assert.That(await bEvents.DrainAfterQuietAsync(), Is.Empty);
    }

    [Test]
    public async Task SharedFolder_TwoInstances_SeeEachOthersNodesAndEvents()
    {
        // Arrange: two instances on one folder stand for two processes.
        var a = Create();
        var b = Create();
        var aEvents = Watch(a, "svc");
        var bEvents = Watch(b, "svc");

        // Act
        await a.RegisterAsync(Services.Make("svc", "from-a"));
        await b.RegisterAsync(Services.Make("svc", "from-b"));

        // Assert
        Assert.That((await a.GetServiceAsync("svc")).Single().Nodes.Select(n => n.Id), Is.EqualTo(new[] { "from-a", "from-b" }));
        Assert.That((await b.GetServiceAsync("svc")).Single().Nodes.Select(n => n.Id), Is.EqualTo(new[] { "from-a", "from-b" }));
        Assert.That((await aEvents.NextMatchingAsync(e => e.Service.Nodes[0].Id == "from-b")).Kind, Is.EqualTo(RegistryEventKind.Create));
        Assert.That((await bEvents.NextMatchingAsync(e => e.Service.Nodes[0].Id == "from-a")).Kind, Is.EqualTo(RegistryEventKind.Create));

        await b.DeregisterAsync(Services.Make("svc", "from-b"));
        Assert.That((await aEvents.NextMatchingAsync(e => e.Service.Nodes[0].Id == "from-b")).Kind, Is.EqualTo(RegistryEventKind.Delete));
    }

    [Test]
    public async Task GetServiceAsync_CorruptDocuments_SkippedWithOneWarningEachAndOthersReturned()
    {
        // Arrange
        var (factory, logs) = CapturingLoggerProvider.CreateFactory();
        using var _ = factory;
        var registry = Create(o => o.LoggerFactory = factory);
        await registry.RegisterAsync(Services.Make("svc", "good"));
        var folder = Path.Combine(_dir.Path, "svc");
        var full = File.ReadAllText(Path.Combine(folder, "good.json"));
        File.WriteAllText(Path.Combine(folder, "partial.json"), full[..(full.Length / 2)]);
        File.WriteAllText(Path.Combine(folder, "garbage.json"), "\u0001not json at all");
        File.WriteAllText(Path.Combine(folder, "empty.json"), "");
        File.WriteAllText(Path.Combine(folder, "incomplete.json"), """{ "service": "svc", "version": "1" }""");
        File.WriteAllText(Path.Combine(folder, "wrongtype.json"), """{ "service": 42, "node": { "id": "x", "address": "y" }, "expires": "2999-01-01T00:00:00Z" }""");

        // Act
        var found = await registry.GetServiceAsync("svc");
        var again = await registry.GetServiceAsync("svc");

        // Assert
        Assert.That(found.Single().Nodes.Single().Id, Is.EqualTo("good"));
        Assert.That(again.Single().Nodes.Single().Id, Is.EqualTo("good"));
        var warnings = logs.Warnings;
        Assert.That(warnings, Has.Count.EqualTo(5), string.Join("\n", warnings.Select(w => w.Message)));
        Assert.That(warnings.All(w => w.EventId.Name == "CorruptDocument"), Is.True);
        Assert.That(warnings.Any(w => w.Message.Contains("partial.json", StringComparison.Ordinal)), Is.True);
    }

    [Test]
    public async Task WatchAsync_CorruptDocumentAppears_WatchKeepsReporting()
    {
        // Arrange
        var registry = Create(o => o.PollInterval = TimeSpan.FromMilliseconds(50));
        var events = Watch(registry, "svc");
        await registry.RegisterAsync(Services.Make("svc", "n1"));
        Assert.That((await events.NextAsync()).Kind, Is.EqualTo(RegistryEventKind.Create));

        // Act
        File.WriteAllText(Path.Combine(_dir.Path, "svc", "bad.json"), "{ broken");
        await registry.RegisterAsync(Services.Make("svc", "n2"));

        // Assert
        var next = await events.NextAsync();
        Assert.That(next.Kind, Is.EqualTo(RegistryEventKind.Create));
        Assert.That(next.Service.Nodes.Single().Id, Is.EqualTo("n2"));
    }

    [Test]
    public async Task GetServiceAsync_LeftoverTempFile_IsIgnored()
    {
        var registry = Create();
        await registry.RegisterAsync(Services.Make("svc", "n1"));
        var folder = Path.Combine(_dir.Path, "svc");
        File.Copy(Path.Combine(folder, "n1.json"), Path.Combine(folder, ".n2.json.0123.tmp"));

        var found = await registry.GetServiceAsync("svc");

        Assert.That(found.Single().Nodes.Select(n => n.Id), Is.EqualTo(new[] { "n1" }));
    }

    [Test]
    [NonParallelizable]
    public async Task Constructor_NoDirectoryOption_UsesEnvironmentVariable()
    {
        // Arrange
        var previous = Environment.GetEnvironmentVariable(FileSystemRegistry.DirectoryEnvironmentVariable);
        var folder = Path.Combine(_dir.Path, "from-env");
        Environment.SetEnvironmentVariable(FileSystemRegistry.DirectoryEnvironmentVariable, folder);
        try
        {
            // Act
            await using var registry = new FileSystemRegistry(new FileSystemRegistryOptions());
            await registry.RegisterAsync(Services.Make("svc", "n1"));

            // Assert
            Assert.That(registry.RootDirectory, Is.EqualTo(folder));
            Assert.That(FileSystemRegistry.GetDefaultDirectory(), Is.EqualTo(folder));
            Assert.That(File.Exists(Path.Combine(folder, "svc", "n1.json")), Is.True);
        }
        finally
        {
            Environment.SetEnvironmentVariable(FileSystemRegistry.DirectoryEnvironmentVariable, previous);
        }
    }

    [Test]
    [NonParallelizable]
    public void GetDefaultDirectory_NoEnvironmentVariable_IsPerUserFolder()
    {
        var previous = Environment.GetEnvironmentVariable(FileSystemRegistry.DirectoryEnvironmentVariable);
        Environment.SetEnvironmentVariable(FileSystemRegistry.DirectoryEnvironmentVariable, null);
        try
        {
            var folder = FileSystemRegistry.GetDefaultDirectory();

            Assert.That(Path.IsPathFullyQualified(folder), Is.True);
            Assert.That(folder, Does.Contain("microgen"));
        }
        finally
        {
            Environment.SetEnvironmentVariable(FileSystemRegistry.DirectoryEnvironmentVariable, previous);
        }
    }

    [Test]
    public async Task RegisterAsync_ConcurrentRewrites_ReadersNeverSeeAPartialDocument()
    {
        // Arrange
        var (factory, logs) = CapturingLoggerProvider.CreateFactory();
        using var _ = factory;
        var writer = Create();
        var reader = Create(o => o.LoggerFactory = factory);
        var path = Path.Combine(_dir.Path, "svc", "n1.json");
        await writer.RegisterAsync(Services.Make("svc", "n1"));
        // Each loop runs on its own thread (2-core machines starve the pool) for at least 1 s and
        // at least 20 rounds, bounded by the test timeout.
        var minimum = DateTime.UtcNow + TimeSpan.FromSeconds(1);
        var deadline = DateTime.UtcNow + Timeouts.Wait;
        bool Running(int rounds) => DateTime.UtcNow < deadline && (DateTime.UtcNow < minimum || rounds < 20);

        // Act: one writer rewrites the document with sizes that vary a lot while two readers read it.
        var writing = Task.Factory.StartNew(() =>
        {
            var writes = 0;
            while (Running(writes))
            {
                var padding = new string('x', (writes % 7) * 3000);
                writer.RegisterAsync(Services.Make("svc", "n1", nodeMetadata: new Dictionary<string, string> { ["pad"] = padding })).AsTask().GetAwaiter().GetResult();
                writes++;
            }
            return writes;
        }, TaskCreationOptions.LongRunning);
        var readingRaw = Task.Factory.StartNew(() =>
        {
            var reads = 0;
            while (Running(reads))
            {
                using var json = JsonDocument.Parse(File.ReadAllBytes(path)); // throws on a partial document
                Assert.That(json.RootElement.GetProperty("node").GetProperty("id").GetString(), Is.EqualTo("n1"));
                reads++;
            }
            return reads;
        }, TaskCreationOptions.LongRunning);
        var readingRegistry = Task.Factory.StartNew(() =>
        {
            var reads = 0;
            while (Running(reads))
            {
                var found = reader.GetServiceAsync("svc").AsTask().GetAwaiter().GetResult();
                Assert.That(found.Single().Nodes.Single().Id, Is.EqualTo("n1"));
                reads++;
            }
            return reads;
        }, TaskCreationOptions.LongRunning);
        var counts = await Task.WhenAll(writing, readingRaw, readingRegistry).WaitAsync(Timeouts.Wait + Timeouts.Wait);

        // Assert
        Assert.That(counts, Is.All.GreaterThanOrEqualTo(20), "writes, raw reads and registry reads all happened");
        Assert.That(logs.Warnings, Is.Empty);
        Assert.That(Directory.GetFiles(Path.Combine(_dir.Path, "svc")), Is.EqualTo(new[] { path }), "no temporary file is left behind");
    }

    [Test]
    public void Constructor_NonPositivePollInterval_Throws()
    {
        Assert.That(() => new FileSystemRegistry(new FileSystemRegistryOptions { Directory = _dir.Path, PollInterval = TimeSpan.Zero }),
            Throws.TypeOf<ArgumentOutOfRangeException>());
    }

    [Test]
    public void RegisterAsync_NonPositiveTtl_Throws()
    {
        var registry = Create();

        Assert.That(async () => await registry.RegisterAsync(Services.Make("svc", "n1"), Services.Ttl(TimeSpan.Zero)),
            Throws.TypeOf<ArgumentOutOfRangeException>());
    }
}
