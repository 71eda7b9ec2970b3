using System.Linq;
using System.Threading.Tasks;
using MicroGen.Hosting;
using MicroGen.Registry;
using MicroGen.Tests.EndToEnd;
using MicroGen.Transport;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using NUnit.Framework;

namespace MicroGen.Tests.Hosting;

[TestFixture]
public sealed class HostingTests
{
    [Test]
    public async Task AddMicroGen_HandlerAndClient_ServeAndCallThroughTheHost()
    {
        var registry = new InMemoryRegistry();
        var server = Host.CreateApplicationBuilder();
        server.Services.AddMicroGen(o => { o.Name = "hosted"; o.Registry = registry; o.Transport = new InMemoryTransport(); })
            .AddHandler<IShapes, ShapesHandler>();
        using var serverHost = server.Build();

        var client = Host.CreateApplicationBuilder();
        client.Services.AddMicroGen(o => { o.Name = "hosted-client"; o.Registry = registry; o.Transport = new InMemoryTransport(); })
            .AddClient<IShapes>();
        using var clientHost = client.Build();

        await serverHost.StartAsync().Bounded();
        await clientHost.StartAsync().Bounded();

        var shapes = clientHost.Services.GetRequiredService<IShapes>();
        Assert.That(await shapes.Add(2, 3).Bounded(), Is.EqualTo(5));
        Assert.That((await registry.GetServiceAsync("hosted").Bounded()).Single().Nodes, Has.Count.EqualTo(1));

        await serverHost.StopAsync().Bounded();
        Assert.That(await registry.GetServiceAsync("hosted").Bounded(), Is.Empty, "stopping the host deregisters the node");
        await clientHost.StopAsync().Bounded();
    }
}
