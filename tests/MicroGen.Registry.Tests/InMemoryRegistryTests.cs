using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading.Tasks;
using MicroGen.Registry;
using NUnit.Framework;

namespace MicroGen.Registry.Tests;

[TestFixture]
public sealed class InMemoryRegistryTests
{
    [Test]
    public async Task RegisterAsync_FullService_LookupReturnsEveryFieldAndDeregisterRemovesIt()
    {
        // Arrange
        await using var registry = new InMemoryRegistry();
        var service = Services.Full();

        // Act
        await registry.RegisterAsync(service);
        var found = await registry.GetServiceAsync("greeter");
        var listed = await registry.ListServicesAsync();
        await registry.DeregisterAsync(service);
        var afterDeregister = await registry.GetServiceAsync("greeter");

        // Assert
        Assert.That(found.Single(), Is.EqualTo(service));
        Assert.That(listed.Single().Name, Is.EqualTo("greeter"));
        Assert.That(afterDeregister, Is.Empty);
    }

    [Test]
    public async Task GetServiceAsync_AfterTtl_NodeIgnored()
    {
        // Arrange
        var time = new ManualTimeProvider();
        await using var registry = new InMemoryRegistry(time);
        await registry.RegisterAsync(Services.Make("svc", "n1"), Services.Ttl(TimeSpan.FromSeconds(10)));

        // Act
        time.Advance(TimeSpan.FromSeconds(9));
        var beforeExpiry = await registry.GetServiceAsync("svc");
        time.Advance(TimeSpan.FromSeconds(2));
        var afterExpiry = await registry.GetServiceAsync("svc");

        // Assert
        Assert.That(beforeExpiry, Is.Not.Empty);
        Assert.That(afterExpiry, Is.Empty);
    }

    [Test]
    public async Task RegisterAsync_Reregister_RefreshesExpiry()
    {
        var time = new ManualTimeProvider();
        await using var registry = new InMemoryRegistry(time);
        var ttl = Services.Ttl(TimeSpan.FromSeconds(10));
        await registry.RegisterAsync(Services.Make("svc", "n1"), ttl);
        time.Advance(TimeSpan.FromSeconds(8));

        await registry.RegisterAsync(Services.Make("svc", "n1"), ttl);
        time.Advance(TimeSpan.FromSeconds(8));

        Assert.That(await registry.GetServiceAsync("svc"), Is.Not.Empty);
    }

    [Test]
    public async Task WatchAsync_ShortTtlAndNoLookups_DeleteEventOnExpiry()
    {
        // Arrange
        await using var registry = new InMemoryRegistry();
        await using var events = new EventRecorder(registry, "svc");
        await registry.RegisterAsync(Services.Make("svc", "n1"), Services.Ttl(TimeSpan.FromMilliseconds(300)));
        Assert.That((await events.NextAsync()).Kind, Is.EqualTo(RegistryEventKind.Create));

        // Act: nobody looks the service up; the registry notices the expiry by itself.
        var expired = await events.NextAsync();

        // Assert
        Assert.That(expired.Kind, Is.EqualTo(RegistryEventKind.Delete));
        Assert.That(expired.Service.Nodes.Single().Id, Is.EqualTo("n1"));
    }

    [Test]
    public async Task WatchAsync_CreateUpdateDelete_ReportedInOrderWithoutSpuriousUpdates()
    {
        // Arrange
        await using var registry = new InMemoryRegistry();
        await using var events = new EventRecorder(registry, "svc");
        var v1 = Services.Make("svc", "n1", nodeMetadata: new Dictionary<string, string> { ["gen"] = "1" });
        var v2 = Services.Make("svc", "n1", nodeMetadata: new Dictionary<string, string> { ["gen"] = "2" });

        // Act
        await registry.RegisterAsync(v1);
        await registry.RegisterAsync(v1); // a heartbeat: no event
        await registry.RegisterAsync(v2);
        await registry.RegisterAsync(Services.Make("other", "o1")); // another service: filtered out
        await registry.DeregisterAsync(v2);

        // Assert
        var kinds = new[] { await events.NextAsync(), await events.NextAsync(), await events.NextAsync() };
        Assert.That(kinds.Select(e => e.Kind), Is.EqualTo(new[] { RegistryEventKind.Create, RegistryEventKind.Update, RegistryEventKind.Delete }));
        Assert.That(kinds[1].Service, Is.EqualTo(v2));
        Assert.That(await events.DrainAfterQuietAsync(), Is.Empty);
    }

    [Test]
    public async Task DisposeAsync_Watching_EnumerationEnds()
    {
        var registry = new InMemoryRegistry();
        await using var events = new EventRecorder(registry);

        await registry.DisposeAsync();

        await events.Completion.WaitAsync(Timeouts.Wait);
        Assert.That(events.Ended, Is.True);
    }

    [Test]
    public async Task GetServiceAsync_Repeated_ServesOneSharedResultWithoutAllocating()
    {
        // Arrange: every call routed through the registry looks its service up.
        await using var registry = new InMemoryRegistry();
        await registry.RegisterAsync(Services.Make("svc", "n1"));
        await registry.RegisterAsync(Services.Make("svc", "n2"));
        var first = await registry.GetServiceAsync("svc");

        // Act
        var before = GC.GetAllocatedBytesForCurrentThread();
        IReadOnlyList<ServiceInfo> again = first;
        for (var i = 0; i < 1000; i++)
        {
            again = registry.GetServiceAsync("svc").Result;
        }
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        // Assert
        Assert.That(again, Is.SameAs(first));
        Assert.That(allocated, Is.Zero);
        Assert.That(first.Single().Nodes.Select(n => n.Id), Is.EqualTo(new[] { "n1", "n2" }));
        Assert.That(first, Is.Not.AssignableTo<List<ServiceInfo>>(), "the shared result is read-only");
        Assert.That(first.Single().Nodes, Is.Not.AssignableTo<List<Node>>());
    }

    [Test]
    public async Task GetServiceAsync_AfterRegisterOrDeregister_SeesTheChangeAtOnce()
    {
        // Arrange
        await using var registry = new InMemoryRegistry();
        await registry.RegisterAsync(Services.Make("svc", "n1"));
        var initially = await registry.GetServiceAsync("svc");

        // Act
        await registry.RegisterAsync(Services.Make("svc", "n2"));
        var afterAdd = await registry.GetServiceAsync("svc");
        await registry.RegisterAsync(Services.Make("svc", "n3", version: "2.0.0"));
        var afterVersion = await registry.GetServiceAsync("svc");
        await registry.DeregisterAsync(Services.Make("svc", "n1"));
        var afterRemove = await registry.GetServiceAsync("svc");
        var unknown = await registry.GetServiceAsync("other");
        await registry.RegisterAsync(Services.Make("other", "o1"));
        var registeredLater = await registry.GetServiceAsync("other");

        // Assert
        Assert.That(NodeIds(initially), Is.EqualTo(new[] { "n1" }));
        Assert.That(NodeIds(afterAdd), Is.EqualTo(new[] { "n1", "n2" }));
        Assert.That(NodeIds(afterVersion), Is.EquivalentTo(new[] { "n1", "n2", "n3" }));
        Assert.That(NodeIds(afterRemove), Is.EquivalentTo(new[] { "n2", "n3" }));
        Assert.That(unknown, Is.Empty);
        Assert.That(NodeIds(registeredLater), Is.EqualTo(new[] { "o1" }));
    }

    [Test]
    public async Task GetServiceAsync_ServedFromAnEarlierLookup_StillDropsEachNodeWhenItExpires()
    {
        // Arrange: n1 lives 10 s, n2 20 s; the first lookup is made at once.
        var time = new ManualTimeProvider();
        await using var registry = new InMemoryRegistry(time);
        await registry.RegisterAsync(Services.Make("svc", "n1"), Services.Ttl(TimeSpan.FromSeconds(10)));
        await registry.RegisterAsync(Services.Make("svc", "n2"), Services.Ttl(TimeSpan.FromSeconds(20)));
        var atStart = await registry.GetServiceAsync("svc");

        // Act
        time.Advance(TimeSpan.FromSeconds(9.9));
        var before = await registry.GetServiceAsync("svc");
        time.Advance(TimeSpan.FromSeconds(0.1));
        var atFirstExpiry = await registry.GetServiceAsync("svc");
        time.Advance(TimeSpan.FromSeconds(10));
        var atSecondExpiry = await registry.GetServiceAsync("svc");

        // Assert
        Assert.That(NodeIds(atStart), Is.EqualTo(new[] { "n1", "n2" }));
        Assert.That(before, Is.SameAs(atStart));
        Assert.That(NodeIds(atFirstExpiry), Is.EqualTo(new[] { "n2" }));
        Assert.That(atSecondExpiry, Is.Empty);
    }

    private static IEnumerable<string> NodeIds(IReadOnlyList<ServiceInfo> services) =>
        services.SelectMany(s => s.Nodes).Select(n => n.Id);
}
