using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using MicroGen.Client;
using MicroGen.Registry;
using MicroGen.Server;
using MicroGen.Service;
using MicroGen.Transport;
using NUnit.Framework;

namespace MicroGen.Tests.Runtime;

/// <summary>
/// The client reuses the cancellation source behind each call's deadline: tokens of finished calls
/// and fired deadlines must never reach later calls.
/// </summary>
[TestFixture]
public sealed class CallCancellationReuseTests
{
    private static readonly Method<string, string> Echo = new("reuse", "Reuse.Echo");
    private static readonly Method<string, string> Sleep = new("reuse", "Reuse.Sleep");

    private MicroService _server = null!;
    private MicroService _caller = null!;

    [SetUp]
    public async Task SetUp()
    {
        var registry = new InMemoryRegistry();
        _server = new MicroService(new ServiceOptions { Name = "reuse", Registry = registry, Transport = new InMemoryTransport() });
        _server.Server.AddDispatcher(new Dispatcher());
        await _server.StartAsync().Bounded();
        _caller = new MicroService(new ServiceOptions { Name = "caller", Registry = registry, Transport = new InMemoryTransport() });
    }

    [TearDown]
    public async Task TearDown()
    {
        await _caller.DisposeAsync();
        await _server.DisposeAsync();
    }

    [Test]
    public async Task Call_OldCallerTokensCancelledLater_LaterCallsUnaffected()
    {
        var sources = new List<CancellationTokenSource>();
        for (var i = 0; i < 50; i++)
        {
            var source = new CancellationTokenSource();
            sources.Add(source);
            Assert.That(await _caller.Client.CallAsync(Echo, $"a{i}", cancellationToken: source.Token).AsTask().Bounded(), Is.EqualTo($"a{i}"));
        }

        var later = Enumerable.Range(0, 50).Select(i => _caller.Client.CallAsync(Sleep, "20", cancellationToken: CancellationToken.None).AsTask()).ToArray();
        foreach (var source in sources)
        {
            source.Cancel();
        }

        var replies = await Task.WhenAll(later).Bounded();
        Assert.That(replies, Is.All.EqualTo("20"));
        foreach (var source in sources)
        {
            source.Dispose();
        }
    }

    [Test]
    public async Task Call_AfterTimeoutsAndCancellations_NextCallsGetAFullDeadline()
    {
        for (var i = 0; i < 5; i++)
        {
            Assert.ThrowsAsync<MicroException>(async () =>
                await _caller.Client.CallAsync(Sleep, "5000", new CallOptions { Timeout = TimeSpan.FromMilliseconds(30) }).AsTask().Bounded());
            using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(30));
            Assert.CatchAsync<OperationCanceledException>(async () =>
                await _caller.Client.CallAsync(Sleep, "5000", cancellationToken: cancel.Token).AsTask().Bounded());
        }

        // Each of these outlives the short deadlines above: a reused, already-fired source would fail it.
        var calls = Enumerable.Range(0, 20).Select(_ => _caller.Client.CallAsync(Sleep, "100", new CallOptions { Timeout = TimeSpan.FromSeconds(10) }).AsTask()).ToArray();
        Assert.That(await Task.WhenAll(calls).Bounded(), Is.All.EqualTo("100"));
    }

    private sealed class Dispatcher : IServiceDispatcher
    {
        public ServiceDescriptor Descriptor { get; } = new("reuse", "1.0.0", "Reuse", new MethodDescriptor[] { Echo, Sleep });

        public async ValueTask DispatchAsync(ServerCall call)
        {
            var text = call.ReadRequest<string>();
            if (call.Endpoint == "Reuse.Sleep")
            {
                await Task.Delay(int.Parse(text, System.Globalization.CultureInfo.InvariantCulture), call.CancellationToken);
            }
            else if (call.Endpoint != "Reuse.Echo")
            {
                throw call.EndpointNotFound();
            }
            call.WriteResponse(text);
        }
    }
}
