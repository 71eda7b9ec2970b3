using System;
using System.IO;
using System.Threading.Tasks;
using MicroGen.Client;
using MicroGen.Registry;
using MicroGen.Tests.EndToEnd;
using MicroGen.Transport;
using NUnit.Framework;

namespace MicroGen.Tests.Runtime;

/// <summary>
/// <see cref="Micro.CreateClient"/>: a client alone, on the embedded defaults or on parts handed
/// in, finding a service through the registry and releasing what it created.
/// </summary>
[TestFixture]
public sealed class CreateClientTests
{
    private string _registryDirectory = null!;

    [SetUp]
    public void SetUp() => _registryDirectory = Directory.CreateTempSubdirectory("microgen-create-client-").FullName;

    [TearDown]
    public void TearDown() => Directory.Delete(_registryDirectory, recursive: true);

    [Test]
    public async Task CreateClient_FileSystemRegistryAndDefaultTransport_CallsAServiceInAnotherService()
    {
        await using var service = Micro.CreateService(o =>
        {
            o.Name = "shapes";
            o.Registry = new FileSystemRegistry(new FileSystemRegistryOptions { Directory = _registryDirectory });
        });
        service.Handle<IShapes>(new ShapesHandler());
        await service.StartAsync().Bounded();

        // Only the registry is given: the transport is the default TCP one, owned by the client.
        var registry = new FileSystemRegistry(new FileSystemRegistryOptions { Directory = _registryDirectory });
        await using (var client = Micro.CreateClient(o => o.Registry = registry))
        {
            var shapes = client.For<IShapes>();
            Assert.That(await shapes.Echo("through the registry").Bounded(), Is.EqualTo("through the registry"));
            Assert.That(await shapes.Add(20, 22).Bounded(), Is.EqualTo(42));
            Assert.That(client.Options.Transport, Is.InstanceOf<TcpTransport>());
            Assert.That(client.Options.Registry, Is.InstanceOf<CachingRegistry>(), "lookups go through a watched cache, as a service's do");
        }

        // The registry was handed in, so it outlives the client.
        Assert.That(await registry.GetServiceAsync("shapes").AsTask().Bounded(), Is.Not.Empty);
        await registry.DisposeAsync();
    }

    [Test]
    public async Task CreateClient_PartsHandedIn_UsedAsGivenAndNotDisposed()
    {
        var registry = new InMemoryRegistry();
        var transport = new InMemoryTransport();
        await using var service = Micro.CreateService(o =>
        {
            o.Name = "shapes";
            o.Registry = registry;
            o.Transport = transport;
        });
        service.Handle<IShapes>(new ShapesHandler());
        await service.StartAsync().Bounded();

        await using (var client = Micro.CreateClient(o =>
        {
            o.Registry = registry;
            o.Transport = transport;
            o.Timeout = TimeSpan.FromSeconds(2);
        }))
        {
            Assert.That(client.Options.Registry, Is.SameAs(registry), "an in-memory registry is its own cache");
            Assert.That(client.Options.Transport, Is.SameAs(transport));
            Assert.That(client.Options.Timeout, Is.EqualTo(TimeSpan.FromSeconds(2)));
            Assert.That(await client.For<IShapes>().Echo("in memory").Bounded(), Is.EqualTo("in memory"));
        }

        // The service still works on the parts the disposed client was given.
        await using var second = Micro.CreateClient(o =>
        {
            o.Registry = registry;
            o.Transport = transport;
        });
        Assert.That(await second.For<IShapes>().Echo("again").Bounded(), Is.EqualTo("again"));
    }

    [Test]
    public async Task CreateClient_DirectAddress_NeedsNoRegistryEntry()
    {
        await using var service = Micro.CreateService(o =>
        {
            o.Name = "shapes";
            o.Registry = new InMemoryRegistry();
        });
        service.Handle<IShapes>(new ShapesHandler());
        await service.StartAsync().Bounded();

        await using var client = Micro.CreateClient(o => o.Registry = new FileSystemRegistry(new FileSystemRegistryOptions { Directory = _registryDirectory }));
        var shapes = client.For<IShapes>(new CallOptions { Address = service.Server.Address });
        Assert.That(await shapes.Echo("direct").Bounded(), Is.EqualTo("direct"));
    }

    [Test]
    public async Task CreateClient_Disposed_RefusesCalls()
    {
        var client = Micro.CreateClient(o => o.Registry = new InMemoryRegistry());
        await client.DisposeAsync();
        Assert.CatchAsync<Exception>(async () => await client.For<IShapes>().Echo("late").Bounded());
    }
}
