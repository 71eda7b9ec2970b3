using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using MicroGen.Client;
using MicroGen.Registry;
using MicroGen.Server;
using MicroGen.Service;
using MicroGen.Tests.EndToEnd;
using MicroGen.Transport;
using NUnit.Framework;

namespace MicroGen.Tests.Runtime;

/// <summary>
/// The server pools each call's state (context, token, response), the TCP listener its per-call
/// state, and both transports the responses callers receive: nothing of a finished, failed,
/// cancelled or timed-out call may reach a later one, and concurrent calls never share state.
/// </summary>
[TestFixtureSource(typeof(Transports), nameof(Transports.All))]
public sealed class ServerCallReuseTests(string transport)
{
    private static readonly Method<string, string> Echo = new("reuse", "Reuse.Echo");
    private static readonly Method<string, string> Sleep = new("reuse", "Reuse.Sleep");
    private static readonly Method<string, string> Fail = new("reuse", "Reuse.Fail");

    private readonly List<ITransport> _transports = new();
    private MicroService _server = null!;
    private MicroService _caller = null!;

    [SetUp]
    public async Task SetUp()
    {
        var registry = new InMemoryRegistry();
        _server = new MicroService(new ServiceOptions { Name = "reuse", Registry = registry, Transport = NewTransport() });
        _server.Server.AddDispatcher(new Dispatcher());
        await _server.StartAsync().Bounded();
        _caller = new MicroService(new ServiceOptions { Name = "caller", Registry = registry, Transport = NewTransport() });
    }

    [TearDown]
    public async Task TearDown()
    {
        await _caller.DisposeAsync();
        await _server.DisposeAsync();
        foreach (var created in _transports)
        {
            await created.DisposeAsync();
        }
    }

    [Test]
    public async Task Metadata_OfOneCall_NeverReachesTheNext()
    {
        for (var i = 0; i < 20; i++)
        {
            using var scope = MicroContext.Begin();
            if (i % 2 == 0)
            {
                scope.Context.Metadata["tenant"] = $"t{i}";
            }
            var reply = await _caller.Client.CallAsync(Echo, i % 2 == 0 ? "set" : "plain").AsTask().Bounded();

            // The handler echoes the tenant it saw and sets a response header only when asked to.
            Assert.That(reply, Is.EqualTo(i % 2 == 0 ? $"set t{i}" : "plain none"));
            Assert.That(scope.Context.ResponseMetadata.Get("echoed"), Is.EqualTo(i % 2 == 0 ? "set" : null));
        }
    }

    [Test]
    public async Task ConcurrentCalls_EachSeesOnlyItsOwnState()
    {
        var calls = Enumerable.Range(0, 300).Select(async i =>
        {
            using var scope = MicroContext.Begin();
            scope.Context.Metadata["tenant"] = $"t{i}";
            var reply = await _caller.Client.CallAsync(Echo, $"set{i}");
            return (i, reply, echoed: scope.Context.ResponseMetadata.Get("echoed"));
        }).ToArray();

        foreach (var (i, reply, echoed) in await Task.WhenAll(calls).Bounded())
        {
            Assert.That(reply, Is.EqualTo($"set{i} t{i}"));
            Assert.That(echoed, Is.EqualTo($"set{i}"));
        }
    }

    [Test]
    public async Task CallsAfterFailuresTimeoutsAndCancellations_RunWithAFreshToken()
    {
        for (var i = 0; i < 5; i++)
        {
            var failed = Assert.ThrowsAsync<MicroException>(async () => await _caller.Client.CallAsync(Fail, "x").AsTask().Bounded());
            Assert.That(failed!.Error.Code, Is.EqualTo((int)MicroStatusCode.InternalServerError));

            var timedOut = Assert.ThrowsAsync<MicroException>(async () =>
                await _caller.Client.CallAsync(Sleep, "5000", new CallOptions { Timeout = TimeSpan.FromMilliseconds(30) }).AsTask().Bounded());
            Assert.That(timedOut!.Error.Code, Is.EqualTo((int)MicroStatusCode.Timeout));

            using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(30));
            Assert.CatchAsync<OperationCanceledException>(async () =>
                await _caller.Client.CallAsync(Sleep, "5000", cancellationToken: cancel.Token).AsTask().Bounded());
        }

        // Each of these outlives the short deadlines above: a reused state whose token fired would fail it.
        var calls = Enumerable.Range(0, 40).Select(_ => _caller.Client.CallAsync(Sleep, "100", new CallOptions { Timeout = TimeSpan.FromSeconds(10) }).AsTask()).ToArray();
        Assert.That(await Task.WhenAll(calls).Bounded(), Is.All.EqualTo("slept 100, deadline set"));
    }

    private ITransport NewTransport()
    {
        var created = Transports.Create(transport);
        _transports.Add(created);
        return created;
    }

    private sealed class Dispatcher : IServiceDispatcher
    {
        public ServiceDescriptor Descriptor { get; } = new("reuse", "1.0.0", "Reuse", new MethodDescriptor[] { Echo, Sleep, Fail });

        public async ValueTask DispatchAsync(ServerCall call)
        {
            var text = call.ReadRequest<string>();
            switch (call.Endpoint)
            {
                case "Reuse.Echo":
                    // Yield so that concurrent calls interleave while each holds its state.
                    await Task.Yield();
                    if (text.StartsWith("set", StringComparison.Ordinal))
                    {
                        MicroContext.Current!.ResponseMetadata["echoed"] = text;
                    }
                    call.WriteResponse($"{text} {MicroContext.Current!.Metadata.Get("tenant") ?? "none"}");
                    break;
                case "Reuse.Sleep":
                    var deadline = MicroContext.Current!.Deadline;
                    await Task.Delay(int.Parse(text, CultureInfo.InvariantCulture), call.CancellationToken);
                    call.WriteResponse($"slept {text}, deadline {(deadline is null ? "missing" : "set")}");
                    break;
                case "Reuse.Fail":
                    throw new InvalidOperationException("the handler failed");
                default:
                    throw call.EndpointNotFound();
            }
        }
    }
}
