using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using MicroGen.Registry;
using NUnit.Framework;

namespace MicroGen.Registry.Tests;

[TestFixture]
public sealed class CachingRegistryTests
{
    private static CachingRegistry CreateCache(IRegistry inner, Action<CachingRegistryOptions>? configure = null)
    {
        var options = new CachingRegistryOptions();
        configure?.Invoke(options);
        return new CachingRegistry(inner, options);
    }

    [Test]
    public async Task GetServiceAsync_SecondLookup_ServedFromCache()
    {
        // Arrange
        var inner = new CountingRegistry(new InMemoryRegistry());
        await using var cache = CreateCache(inner);
        await inner.RegisterAsync(Services.Full());

        // Act
        var first = await cache.GetServiceAsync("greeter");
        var second = await cache.GetServiceAsync("greeter");

        // Assert
        Assert.That(inner.Lookups, Is.EqualTo(1));
        Assert.That(second, Is.EqualTo(first));
        Assert.That(second.Single(), Is.EqualTo(Services.Full()));
    }

    [Test]
    public async Task GetServiceAsync_InnerChanges_ArriveThroughWatchWithoutLookups()
    {
        // Arrange
        var inner = new CountingRegistry(new InMemoryRegistry());
        await using var cache = CreateCache(inner);
        await inner.RegisterAsync(Services.Make("svc", "n1"));
        Assert.That((await cache.GetServiceAsync("svc")).Single().Nodes, Has.Count.EqualTo(1));

        // Act + Assert: a node registered behind the cache's back shows up...
        await inner.RegisterAsync(Services.Make("svc", "n2"));
        await Eventually.HoldsAsync(async () => (await cache.GetServiceAsync("svc")).Single().Nodes.Count == 2, "the new node reached the cache");

        // ...an updated node is replaced, a new version appears...
        await inner.RegisterAsync(Services.Make("svc", "n1", address: "127.0.0.1:9999"));
        await inner.RegisterAsync(Services.Make("svc", "n3", version: "2.0.0"));
        await Eventually.HoldsAsync(async () =>
        {
            var services = await cache.GetServiceAsync("svc");
            return services.Count == 2 && services[0].Nodes.Any(n => n.Address == "127.0.0.1:9999");
        }, "the update and the new version reached the cache");

        // ...and deregistered nodes leave, taking an emptied version with them.
        await inner.DeregisterAsync(Services.Make("svc", "n3", version: "2.0.0"));
        await inner.DeregisterAsync(Services.Make("svc", "n2"));
        await Eventually.HoldsAsync(async () =>
        {
            var services = await cache.GetServiceAsync("svc");
            return services.Count == 1 && services[0].Nodes.Select(n => n.Id).SequenceEqual(new[] { "n1" });
        }, "the deletions reached the cache");
        Assert.That(inner.Lookups, Is.EqualTo(1));
    }

    [Test]
    public async Task GetServiceAsync_OverFileSystemRegistry_SeesAnotherProcessThroughTheWatch()
    {
        // Arrange: the cache's file registry and a second instance on the same folder (another process).
        using var dir = new TempDirectory();
        await using var ownFiles = new FileSystemRegistry(new FileSystemRegistryOptions { Directory = dir.Path });
        await using var otherProcess = new FileSystemRegistry(new FileSystemRegistryOptions { Directory = dir.Path });
        var inner = new CountingRegistry(ownFiles);
        await using var cache = CreateCache(inner);
        await otherProcess.RegisterAsync(Services.Make("svc", "n1"));
        Assert.That((await cache.GetServiceAsync("svc")).Single().Nodes, Has.Count.EqualTo(1));

        // Act
        await otherProcess.RegisterAsync(Services.Make("svc", "n2"));

        // Assert
        await Eventually.HoldsAsync(async () => (await cache.GetServiceAsync("svc")).Single().Nodes.Count == 2, "the other process's node reached the cache");
        Assert.That(inner.Lookups, Is.EqualTo(1));
    }

    [Test]
    public async Task GetServiceAsync_EntryOlderThanTtl_LooksUpAgain()
    {
        // Arrange
        var time = new ManualTimeProvider();
        var inner = new CountingRegistry(new InMemoryRegistry(time));
        await using var cache = CreateCache(inner, o =>
        {
            o.TimeProvider = time;
            o.Ttl = TimeSpan.FromSeconds(30);
        });
        await inner.RegisterAsync(Services.Make("svc", "n1"), Services.Ttl(TimeSpan.FromHours(1)));
        await cache.GetServiceAsync("svc");

        // Act
        time.Advance(TimeSpan.FromSeconds(29));
        await cache.GetServiceAsync("svc");
        var lookupsWithinTtl = inner.Lookups;
        time.Advance(TimeSpan.FromSeconds(2));
        await cache.GetServiceAsync("svc");

        // Assert
        Assert.That(lookupsWithinTtl, Is.EqualTo(1));
        Assert.That(inner.Lookups, Is.EqualTo(2));
    }

    [Test]
    public async Task GetServiceAsync_ConcurrentFirstLookups_CoalescedIntoOneInnerLookup()
    {
        // Arrange
        var inner = new CountingRegistry(new InMemoryRegistry());
        await inner.RegisterAsync(Services.Make("svc", "n1"));
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        inner.HoldLookups = release.Task;
        await using var cache = CreateCache(inner);

        // Act
        var lookups = Enumerable.Range(0, 10).Select(_ => Task.Run(async () => await cache.GetServiceAsync("svc"))).ToArray();
        await Eventually.HoldsAsync(() => Task.FromResult(inner.Lookups >= 1), "the inner lookup started");
        await Task.Delay(Timeouts.Quiet); // let every caller arrive while the lookup is held
        var completedWhileHeld = lookups.Count(t => t.IsCompleted);
        release.SetResult();
        var results = await Task.WhenAll(lookups).WaitAsync(Timeouts.Wait);

        // Assert
        Assert.That(completedWhileHeld, Is.Zero);
        Assert.That(inner.Lookups, Is.EqualTo(1));
        Assert.That(results.All(r => r.Single().Nodes.Single().Id == "n1"), Is.True);
    }

    [Test]
    public async Task GetServiceAsync_OneWaiterCancels_OthersStillGetTheResult()
    {
        // Arrange
        var inner = new CountingRegistry(new InMemoryRegistry());
        await inner.RegisterAsync(Services.Make("svc", "n1"));
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        inner.HoldLookups = release.Task;
        await using var cache = CreateCache(inner);
        using var cancel = new CancellationTokenSource();
        var cancelled = cache.GetServiceAsync("svc", cancel.Token).AsTask();
        var patient = cache.GetServiceAsync("svc").AsTask();

        // Act
        cancel.Cancel();
        release.SetResult();

        // Assert
        Assert.That(async () => await cancelled.WaitAsync(Timeouts.Wait), Throws.InstanceOf<OperationCanceledException>());
        Assert.That((await patient.WaitAsync(Timeouts.Wait)).Single().Nodes.Single().Id, Is.EqualTo("n1"));
        Assert.That(inner.Lookups, Is.EqualTo(1));
    }

    [Test]
    public async Task GetServiceAsync_InnerFailsAfterTtl_ServesStaleEntryWithWarning()
    {
        // Arrange
        var (factory, logs) = CapturingLoggerProvider.CreateFactory();
        using var _ = factory;
        var time = new ManualTimeProvider();
        var inner = new CountingRegistry(new InMemoryRegistry(time));
        await using var cache = CreateCache(inner, o =>
        {
            o.TimeProvider = time;
            o.LoggerFactory = factory;
        });
        await inner.RegisterAsync(Services.Make("svc", "n1"), Services.Ttl(TimeSpan.FromHours(1)));
        await cache.GetServiceAsync("svc");
        time.Advance(CachingRegistryOptions.DefaultTtl + TimeSpan.FromSeconds(1));
        inner.FailLookups = new InvalidOperationException("registry down (test)");

        // Act
        var found = await cache.GetServiceAsync("svc");

        // Assert
        Assert.That(inner.Lookups, Is.EqualTo(2), "the stale entry was looked up again");
        Assert.That(found.Single().Nodes.Single().Id, Is.EqualTo("n1"));
        Assert.That(logs.Warnings.Select(w => w.EventId.Name), Does.Contain("ServingStale"));
    }

    [Test]
    public async Task GetServiceAsync_InnerFailsWithNothingCached_Throws()
    {
        var inner = new CountingRegistry(new InMemoryRegistry()) { FailLookups = new InvalidOperationException("registry down (test)") };
        await using var cache = CreateCache(inner);

        Assert.That(async () => await cache.GetServiceAsync("svc"), Throws.InvalidOperationException.With.Message.Contains("registry down"));
    }

    [Test]
    public async Task RegisterAsync_ThroughCache_NextLookupSeesItAtOnce()
    {
        // Arrange
        var inner = new CountingRegistry(new InMemoryRegistry());
        await using var cache = CreateCache(inner);
        Assert.That(await cache.GetServiceAsync("svc"), Is.Empty);

        // Act
        await cache.RegisterAsync(Services.Make("svc", "n1"));
        var afterRegister = await cache.GetServiceAsync("svc");
        await cache.DeregisterAsync(Services.Make("svc", "n1"));
        var afterDeregister = await cache.GetServiceAsync("svc");

        // Assert
        Assert.That(afterRegister.Single().Nodes.Single().Id, Is.EqualTo("n1"));
        Assert.That(afterDeregister, Is.Empty);
    }

    [Test]
    public async Task DisposeAsync_RunningWatch_IsStopped()
    {
        // Arrange
        var inner = new CountingRegistry(new InMemoryRegistry());
        var cache = CreateCache(inner);
        await cache.GetServiceAsync("svc");
        await Eventually.HoldsAsync(() => Task.FromResult(inner.ActiveWatches == 1), "the cache watches the inner registry");

        // Act
        await cache.DisposeAsync().AsTask().WaitAsync(Timeouts.Wait);

        // Assert
        Assert.That(inner.ActiveWatches, Is.Zero);
        Assert.That(async () => await cache.GetServiceAsync("svc"), Throws.TypeOf<ObjectDisposedException>());
    }

    [Test]
    public async Task WatchFails_Restarted_UpdatesArriveAgain()
    {
        // Arrange
        var (factory, logs) = CapturingLoggerProvider.CreateFactory();
        using var _ = factory;
        var inner = new CountingRegistry(new InMemoryRegistry()) { FailNextWatches = 1 };
        await using var cache = CreateCache(inner, o =>
        {
            o.WatchRetryDelay = TimeSpan.FromMilliseconds(50);
            o.LoggerFactory = factory;
        });
        await inner.RegisterAsync(Services.Make("svc", "n1"));

        // Act
        Assert.That((await cache.GetServiceAsync("svc")).Single().Nodes, Has.Count.EqualTo(1));
        await Eventually.HoldsAsync(() => Task.FromResult(logs.Entries.Any(e => e.EventId.Name == "CacheWatchRestarted")), "the watch restarted");
        await cache.GetServiceAsync("svc"); // the restart invalidated the entry: this looks up again
        var lookupsAfterRestart = inner.Lookups;
        await inner.RegisterAsync(Services.Make("svc", "n2"));

        // Assert
        await Eventually.HoldsAsync(async () => (await cache.GetServiceAsync("svc")).Single().Nodes.Count == 2, "the update arrived through the restarted watch");
        Assert.That(inner.Lookups, Is.EqualTo(lookupsAfterRestart), "served by the watch, not by new lookups");
        Assert.That(inner.WatchStarts, Is.EqualTo(2));
        Assert.That(logs.Warnings.Select(w => w.EventId.Name), Does.Contain("CacheWatchFailed"));
    }

    [Test]
    public void Apply_DeleteOfLastNode_RemovesTheVersion()
    {
        var services = new[] { Services.Make("svc", "a", version: "1"), Services.Make("svc", "b", version: "2") };

        var after = CachingRegistry.Apply(services, new RegistryEvent(RegistryEventKind.Delete, Services.Make("svc", "a", version: "1")));

        Assert.That(after.Select(s => s.Version), Is.EqualTo(new[] { "2" }));
    }

    [Test]
    public void Apply_CreateInNewVersion_AddsItInVersionOrder()
    {
        var services = new[] { Services.Make("svc", "b", version: "2") };

        var after = CachingRegistry.Apply(services, new RegistryEvent(RegistryEventKind.Create, Services.Make("svc", "a", version: "1")));

        Assert.That(after.Select(s => s.Version), Is.EqualTo(new[] { "1", "2" }));
    }

    [Test]
    public void Constructor_NonPositiveTtl_Throws()
    {
        Assert.That(() => new CachingRegistry(new InMemoryRegistry(), new CachingRegistryOptions { Ttl = TimeSpan.Zero }),
            Throws.TypeOf<ArgumentOutOfRangeException>());
    }
}
