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
}
