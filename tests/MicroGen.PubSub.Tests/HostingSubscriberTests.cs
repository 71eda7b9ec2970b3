using System.Threading.Tasks;
using MicroGen.Broker;
using MicroGen.Hosting;
using MicroGen.Registry;
using MicroGen.Transport;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using NUnit.Framework;

namespace MicroGen.PubSub.Tests;

[TestFixture]
public sealed class HostingSubscriberTests
{
    [Test]
    public async Task AddSubscriber_HostRunning_ReceivesEventsAndLeavesOnStop()
    {
        var registry = new InMemoryRegistry();
        var transport = new InMemoryTransport();
        var received = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        var builder = Microsoft.Extensions.Hosting.Host.CreateApplicationBuilder();
        builder.Services.AddSingleton(received);
        builder.Services.AddMicroGen(o => { o.Name = "hosted-mailer"; o.Registry = registry; o.Transport = transport; })
            .AddSubscriber<string>("hosted.topic", (provider, evt, ct) =>
            {
                provider.GetRequiredService<TaskCompletionSource<string>>().TrySetResult(evt);
                return Task.CompletedTask;
            }, queue: "mailer");
        using var host = builder.Build();
        await using var publisher = Micro.CreateService(o => { o.Name = "pub"; o.Registry = registry; o.Transport = transport; });

        await host.StartAsync().Bounded();
        await publisher.Client.PublishAsync("hosted.topic", "hi").Bounded();
        Assert.That(await received.Task.Bounded(), Is.EqualTo("hi"));

        await host.StopAsync().Bounded();
        var e = Assert.ThrowsAsync<PublishException>(async () => await publisher.Client.PublishAsync("hosted.topic", "bye").Bounded());
        Assert.That(e!.Result.NoSubscribers, Is.True);
    }
}
