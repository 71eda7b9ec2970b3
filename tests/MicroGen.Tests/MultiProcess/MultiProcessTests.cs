using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using MicroGen.Client;
using MicroGen.Registry;
using MicroGen.Selector;
using MicroGen.Service;
using MicroGen.TestHost;
using NUnit.Framework;

namespace MicroGen.Tests.MultiProcess;

/// <summary>Two server processes of one service over TCP, found through the file-system registry.</summary>
[TestFixture]
[NonParallelizable]
public sealed class MultiProcessTests
{
    private string _registryDir = null!;
    private readonly List<HostProcess> _hosts = new();

    [SetUp]
    public void SetUp()
    {
        _registryDir = Path.Combine(Path.GetTempPath(), "microgen-mp-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_registryDir);
    }

    [TearDown]
    public async Task TearDown()
    {
        foreach (var host in _hosts)
        {
            await host.DisposeAsync();
        }
        _hosts.Clear();
        try
        {
            Directory.Delete(_registryDir, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private async Task<HostProcess> StartHostAsync(string id, int ttlMs = 30_000, int intervalMs = 10_000)
    {
        var host = await HostProcess.StartAsync(id, _registryDir, ttlMs, intervalMs);
        _hosts.Add(host);
        return host;
    }

    private IService CreateCaller(int retries = 1) => Micro.CreateService(o =>
    {
        o.Name = "caller";
        o.Registry = new FileSystemRegistry(new FileSystemRegistryOptions { Directory = _registryDir });
        o.Selector = new RoundRobinSelector();
        o.Retries = retries;
    });

    private static async Task WaitUntil(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + TestTimeouts.Default;
        while (!condition())
        {
            Assert.That(DateTime.UtcNow, Is.LessThan(deadline), "condition not met in time");
            await Task.Delay(20);
        }
    }

    [Test]
    public async Task TwoServers_CallsSpreadOverBoth()
    {
        await Task.WhenAll(StartHostAsync("node-a"), StartHostAsync("node-b"));
        await using var caller = CreateCaller();
        var probe = caller.Client.For<IProbe>();

        var served = new List<string>();
        for (var i = 0; i < 40; i++)
        {
            served.Add(await probe.WhoAmI().Bounded());
        }

        Assert.That(served.Distinct().Order(), Is.EqualTo(new[] { "node-a", "node-b" }));
    }

    [Test]
    public async Task Server_MessagePackCallsOfPrimitiveTypes_NeverLoadCryptography()
    {
        // IProbe carries ints, strings and no arguments: MessagePack routines only, so the server
        // never builds MessagePack's options, whose security settings would load OpenSSL for a
        // random hash key (several ms of a process's first call).
        await StartHostAsync("node-a");
        await using var caller = CreateCaller();
        var probe = caller.Client.For<IProbe>();

        Assert.That(await probe.WhoAmI().Bounded(), Is.EqualTo("node-a"));
        Assert.That(await probe.SlowWhoAmI(1).Bounded(), Is.EqualTo("node-a"));
        var ticks = new List<int>();
        await foreach (var tick in probe.Ticks(1))
        {
            ticks.Add(tick);
            if (ticks.Count == 3)
            {
                break;
            }
        }
        Assert.That(ticks, Is.EqualTo(new[] { 0, 1, 2 }));

        Assert.That(await probe.HasLoadedCryptography().Bounded(), Is.False,
            "serving MessagePack calls of primitive types loaded System.Security.Cryptography");
    }

    [Test]
    public async Task TwoServers_OneStoppedGracefully_NoCallFailsAndCallsMove()
    {
        var (a, _) = (await StartHostAsync("node-a"), await StartHostAsync("node-b"));
        await using var caller = CreateCaller();
        var probe = caller.Client.For<IProbe>();
        var failures = new ConcurrentQueue<Exception>();
        var served = new ConcurrentQueue<string>();
        using var stopCalling = new CancellationTokenSource();

        // Four callers keep calling (each call takes a little while, so some are in flight at stop).
        var callers = Enumerable.Range(0, 4).Select(_ => Task.Run(async () =>
        {
            while (!stopCalling.IsCancellationRequested)
            {
                try
                {
                    served.Enqueue(await probe.SlowWhoAmI(20));
                }
                catch (Exception e)
                {
                    failures.Enqueue(e);
                }
            }
        })).ToArray();

        await WaitUntil(() => served.Count >= 20 && served.Contains("node-a") && served.Contains("node-b"));
        await a.StopAsync();
        var afterStop = served.Count;
        await WaitUntil(() => served.Count >= afterStop + 40);
        stopCalling.Cancel();
        await Task.WhenAll(callers).Bounded();

        Assert.That(failures, Is.Empty, () => string.Join("\n", failures.Select(f => f.ToString())));
        Assert.That(served.Count, Is.GreaterThan(afterStop), "calls continued after the stop");
        Assert.That(served.Skip(afterStop).Distinct(), Is.EqualTo(new[] { "node-b" }));
        Assert.That(served.Take(afterStop).Distinct(), Does.Contain("node-a"));
    }

    [Test]
    public async Task TwoServers_OneKilledHard_IdleCallsSucceedThroughRetryAndEntryExpires()
    {
        var a = await StartHostAsync("node-a", ttlMs: 2000, intervalMs: 500);
        await StartHostAsync("node-b", ttlMs: 2000, intervalMs: 500);
        await using var caller = CreateCaller();
        var probe = caller.Client.For<IProbe>();
        for (var i = 0; i < 4; i++)
        {
            await probe.WhoAmI().Bounded(); // both nodes known and connected
        }

        await a.KillAsync();

        // Not in flight when the node died: each call either lands on node-b or is retried there.
        for (var i = 0; i < 20; i++)
        {
            Assert.That(await probe.WhoAmI().Bounded(), Is.EqualTo("node-b"));
        }

        // The dead node's entry is ignored once its TTL has passed.
        var registry = new FileSystemRegistry(new FileSystemRegistryOptions { Directory = _registryDir });
        await using var _ = registry;
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(15);
        IReadOnlyList<ServiceInfo> services;
        do
        {
            await Task.Delay(200);
            services = await registry.GetServiceAsync("probe").Bounded();
        }
        while (services.SelectMany(s => s.Nodes).Any(n => n.Id == "node-a") && DateTime.UtcNow < deadline);
        Assert.That(services.SelectMany(s => s.Nodes).Select(n => n.Id), Is.EqualTo(new[] { "node-b" }));
    }

    /// <summary>
    /// Starts one slow call on each node (round robin alternates), waits until both handlers run,
    /// then kills node-a: the call in flight there has reached its handler and is cut off.
    /// </summary>
    private static async Task<(Task<string> First, Task<string> Second)> KillNodeAWithCallsInFlightAsync(
        IService caller, HostProcess a, HostProcess b, Func<IProbe, Task<string>> slowCall, string startedLine)
    {
        var probe = caller.Client.For<IProbe>(new CallOptions { Timeout = TimeSpan.FromSeconds(30) });
        for (var i = 0; i < 4; i++)
        {
            await probe.WhoAmI().Bounded(); // both nodes known and connected
        }
        var first = slowCall(probe);
        var second = slowCall(probe);
        await Task.WhenAll(a.WaitForLineAsync(startedLine), b.WaitForLineAsync(startedLine)).Bounded();
        await a.KillAsync();
        return (first, second);
    }

    [Test]
    public async Task TwoServers_OneKilledWithIdempotentCallInFlight_CallSucceedsOnOther()
    {
        var a = await StartHostAsync("node-a");
        var b = await StartHostAsync("node-b");
        await using var caller = CreateCaller();

        // Each handler takes 3 s, far longer than the kill, so node-a's call is cut off mid-way.
        var (first, second) = await KillNodeAWithCallsInFlightAsync(caller, a, b, static p => p.IdempotentSlowWhoAmI(3000), "STARTED IdempotentSlowWhoAmI");
        var replies = await Task.WhenAll(first, second).Bounded();

        Assert.That(replies, Is.EqualTo(new[] { "node-b", "node-b" }), "the call cut off on node-a was retried on node-b");
        Assert.That(b.CountLines("STARTED IdempotentSlowWhoAmI"), Is.EqualTo(2), "node-b ran its own call and the retry");
    }

    [Test]
    public async Task TwoServers_OneKilledWithCallInFlight_NonIdempotentCallFails503NotRetried()
    {
        var a = await StartHostAsync("node-a");
        var b = await StartHostAsync("node-b");
        await using var caller = CreateCaller();

        var (first, second) = await KillNodeAWithCallsInFlightAsync(caller, a, b, static p => p.SlowWhoAmI(3000), "STARTED SlowWhoAmI");
        var outcomes = await Task.WhenAll(Outcome(first), Outcome(second)).Bounded();

        Assert.That(outcomes.Order(), Is.EqualTo(new[] { "503", "node-b" }), "the call cut off on node-a may have run, so it is not retried");
        Assert.That(b.CountLines("STARTED SlowWhoAmI"), Is.EqualTo(1), "node-b ran only its own call");

        static async Task<string> Outcome(Task<string> call)
        {
            try
            {
                return await call;
            }
            catch (MicroException e)
            {
                return e.Code.ToString(System.Globalization.CultureInfo.InvariantCulture);
            }
        }
    }

    [Test]
    public async Task Stream_ServerKilledMidStream_CallerFailsPromptlyWithClearError()
    {
        var host = await StartHostAsync("node-a");
        await using var caller = CreateCaller();
        var probe = caller.Client.For<IProbe>();
        var received = new List<int>();

        var enumeration = Task.Run(async () =>
        {
            await foreach (var tick in probe.Ticks(10))
            {
                received.Add(tick);
                if (tick == 5)
                {
                    await host.KillAsync();
                }
            }
        });

        var e = Assert.ThrowsAsync<MicroException>(async () => await enumeration.Bounded());
        Assert.That(e!.Code, Is.EqualTo(MicroStatusCode.ServiceUnavailable));
        Assert.That(e.Detail, Does.Contain("Probe.Ticks"));
        Assert.That(received, Has.Count.GreaterThanOrEqualTo(6));
        Assert.That(received.Take(6), Is.EqualTo(new[] { 0, 1, 2, 3, 4, 5 }));
    }
}
