using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using MicroGen.Client;
using MicroGen.Registry;
using MicroGen.Server;
using MicroGen.Tests.EndToEnd;
using MicroGen.Transport;
using NUnit.Framework;

namespace MicroGen.Tests.Runtime;

/// <summary>
/// <see cref="MicroServer.StopAsync"/> lets calls in flight finish within
/// <see cref="ServerOptions.DrainTimeout"/>, then cancels what is left, on each transport.
/// </summary>
[TestFixtureSource(typeof(Transports), nameof(Transports.All))]
public sealed class ServerDrainTests(string transport)
{
    private static readonly Method<string, string> Hang = new("draining", "Draining.Hang");
    private static readonly Method<string, string> Gate = new("draining", "Draining.Gate");

    /// <summary>Far beyond any drain timeout here, so only the server's stop can end the call.</summary>
    private static readonly CallOptions Patient = new() { Timeout = TimeSpan.FromSeconds(60) };

    private readonly List<IAsyncDisposable> _owned = new();
    private InMemoryRegistry _registry = null!;
    private CapturingLoggerFactory _logs = null!;
    private DrainDispatcher _dispatcher = null!;
    private MicroClient _client = null!;

    [SetUp]
    public void SetUp()
    {
        _registry = new InMemoryRegistry();
        _logs = new CapturingLoggerFactory();
        _dispatcher = new DrainDispatcher();
        var clientTransport = Transports.Create(transport);
        _owned.Add(clientTransport);
        _client = new MicroClient(new ClientOptions { Transport = clientTransport, Registry = _registry });
    }

    [TearDown]
    public async Task TearDown()
    {
        _dispatcher.Release.TrySetResult();
        await _client.DisposeAsync();
        for (var i = _owned.Count - 1; i >= 0; i--)
        {
            await _owned[i].DisposeAsync();
        }
        _owned.Clear();
    }

    private async Task<MicroServer> StartServerAsync(TimeSpan drainTimeout)
    {
        var serverTransport = Transports.Create(transport);
        _owned.Add(serverTransport);
        var server = new MicroServer(new ServerOptions
        {
            Name = "draining", Transport = serverTransport, Registry = _registry, DrainTimeout = drainTimeout, LoggerFactory = _logs,
        });
        _owned.Add(server);
        server.AddDispatcher(_dispatcher);
        await server.StartAsync().Bounded();
        return server;
    }

    private IEnumerable<LogEntry> DrainTimedOutEntries => _logs.Entries.Where(static e => e.EventId.Name == "DrainTimedOut");

    [Test]
    public async Task Stop_HandlerOutlastsDrainTimeout_HandlerCancelledTimeoutLoggedStopPrompt()
    {
        var server = await StartServerAsync(TimeSpan.FromMilliseconds(200));
        var call = _client.CallAsync(Hang, "x", Patient).AsTask();
        await _dispatcher.Started.Task.Bounded();

        var clock = Stopwatch.StartNew();
        await server.StopAsync().Bounded();
        clock.Stop();

        Assert.That(clock.Elapsed, Is.LessThan(TimeSpan.FromSeconds(5)), "stop waits for the drain timeout, not for the 30 s handler");
        Assert.That(clock.Elapsed, Is.GreaterThanOrEqualTo(TimeSpan.FromMilliseconds(180)), "stop gave the call its drain time first");
        Assert.That(await _dispatcher.Cancelled.Task.Bounded(), Is.True, "the handler's token fired");
        var entry = DrainTimedOutEntries.Single();
        Assert.That(entry.Level, Is.EqualTo(Microsoft.Extensions.Logging.LogLevel.Warning));
        Assert.That(entry.Message, Is.EqualTo("Stopping draining: 1 call(s) still in flight after the drain timeout are cancelled"));
        var e = Assert.ThrowsAsync<MicroException>(async () => await call.Bounded());
        Assert.That(e!.Code, Is.EqualTo(MicroStatusCode.ServiceUnavailable));
    }

    [Test]
    public async Task Stop_CallShorterThanDrainTimeout_CompletesDuringStop()
    {
        var server = await StartServerAsync(TimeSpan.FromSeconds(10));
        var call = _client.CallAsync(Gate, "x", Patient).AsTask();
        await _dispatcher.Started.Task.Bounded();

        var stop = server.StopAsync().AsTask();
        await DeregisteredAsync(); // StopAsync deregisters, then waits for the call in flight
        Assert.That(stop.IsCompleted, Is.False, "stop waits for the call in flight");
        _dispatcher.Release.TrySetResult();

        Assert.That(await call.Bounded(), Is.EqualTo("done: x"));
        await stop.Bounded();
        Assert.That(_dispatcher.Cancelled.Task.IsCompleted, Is.False, "the handler was not cancelled");
        Assert.That(DrainTimedOutEntries, Is.Empty);
    }

    private async Task DeregisteredAsync()
    {
        var deadline = DateTime.UtcNow + TestTimeouts.Default;
        while ((await _registry.GetServiceAsync("draining").Bounded()).Count > 0)
        {
            Assert.That(DateTime.UtcNow, Is.LessThan(deadline), "the stopping server never deregistered");
            await Task.Delay(10);
        }
    }

    /// <summary><c>Hang</c> waits up to 30 s on its token; <c>Gate</c> waits for <see cref="Release"/>.</summary>
    private sealed class DrainDispatcher : IServiceDispatcher
    {
        public ServiceDescriptor Descriptor { get; } = new("draining", "1.0.0", "Draining", new MethodDescriptor[] { Hang, Gate });

        public TaskCompletionSource Started { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource Release { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource<bool> Cancelled { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public async ValueTask DispatchAsync(ServerCall call)
        {
            var text = call.ReadRequest<string>();
            Started.TrySetResult();
            try
            {
                if (call.Endpoint == "Draining.Hang")
                {
                    await Task.Delay(TimeSpan.FromSeconds(30), call.CancellationToken);
                }
                else
                {
                    await Release.Task.WaitAsync(call.CancellationToken);
                }
            }
            catch (OperationCanceledException)
            {
                Cancelled.TrySetResult(true);
                throw;
            }
            call.WriteResponse("done: " + text);
        }
    }
}

/// <summary>The documented defaults (go-micro's where it has them), as literal values.</summary>
public sealed class OptionsDefaultsTests
{
    [Test]
    public void Defaults_ClientOptions_Timeout5sOneRetry()
    {
        var options = new ClientOptions();

        Assert.That(options.Timeout, Is.EqualTo(TimeSpan.FromSeconds(5)));
        Assert.That(options.Retries, Is.EqualTo(1));
        Assert.That(options.Selector, Is.InstanceOf<MicroGen.Selector.RandomSelector>());
    }

    [Test]
    public void Defaults_ServerOptions_Drain10sTtl30sInterval10s()
    {
        var options = new ServerOptions();

        Assert.That(options.DrainTimeout, Is.EqualTo(TimeSpan.FromSeconds(10)));
        Assert.That(options.RegisterTtl, Is.EqualTo(TimeSpan.FromSeconds(30)));
        Assert.That(options.RegisterInterval, Is.EqualTo(TimeSpan.FromSeconds(10)));
        Assert.That(options.Address, Is.Null, "unset, so MICROGEN_SERVER_ADDRESS or 127.0.0.1:0 applies");
        Assert.That(MicroServer.DefaultAddress, Is.EqualTo("127.0.0.1:0"));
    }

    [Test]
    public void Defaults_ServiceOptions_SameAsServerAndClient()
    {
        var options = new MicroGen.Service.ServiceOptions();

        Assert.That(options.DrainTimeout, Is.EqualTo(TimeSpan.FromSeconds(10)));
        Assert.That(options.RegisterTtl, Is.EqualTo(TimeSpan.FromSeconds(30)));
        Assert.That(options.RegisterInterval, Is.EqualTo(TimeSpan.FromSeconds(10)));
        Assert.That(options.CallTimeout, Is.Null, "unset, so ClientOptions' 5 s applies");
        Assert.That(options.Retries, Is.Null, "unset, so ClientOptions' 1 retry applies");
    }
}
