using System;
using System.Diagnostics;
using System.Reflection;
using System.Threading;
using System.Threading.Tasks;
using MicroGen.Client;
using MicroGen.Codec;
using MicroGen.Server;
using MicroGen.Transport;
using NUnit.Framework;

namespace MicroGen.Tests.Runtime;

/// <summary>
/// A handler's <see cref="MicroContext.Current"/> is made current by restoring an execution context
/// the pooled call state kept from an earlier call begun in the same flow, instead of setting the
/// async-local anew (which allocates): the handler must still see its own call's context and
/// everything else of the flow it runs in, and the flow must get its own context back afterwards.
/// The calls go straight to the server as a transport hands them over.
/// </summary>
public sealed class ServerAmbientContextTests
{
    private static readonly Method<int, int> Add = new("ambient", "Ambient.Add");
    private static readonly Method<string, string> Probe = new("ambient", "Ambient.Probe");
    private static readonly AsyncLocal<string?> s_flowValue = new();

    private MicroServer _server = null!;

    [SetUp]
    public void SetUp()
    {
        _server = new MicroServer(new ServerOptions { Transport = new InMemoryTransport() });
        _server.AddDispatcher(new Dispatcher());
    }

    [TearDown]
    public async Task TearDown() => await _server.DisposeAsync();

    [Test]
    public async Task EachCall_SeesItsOwnContext_AndTheValuesOfTheFlowItRunsIn()
    {
        s_flowValue.Value = "first";
        for (var i = 0; i < 5; i++)
        {
            // From the second call on, the state's kept context is restored rather than built.
            Assert.That(await CallAsync(Probe, "sync", tenant: $"t{i}"), Is.EqualTo($"t{i} first"));
        }

        // Another flow: its own values, never those of the flow the kept context came from.
        s_flowValue.Value = "second";
        Assert.That(await CallAsync(Probe, "sync", tenant: "t9"), Is.EqualTo("t9 second"));
        s_flowValue.Value = null;
        Assert.That(await CallAsync(Probe, "sync", tenant: "t10"), Is.EqualTo("t10 none"));
    }

    [Test]
    public async Task AHandlerThatGoesAsynchronous_KeepsItsContextAcrossAwaits()
    {
        s_flowValue.Value = "flow";
        for (var i = 0; i < 5; i++)
        {
            Assert.That(await CallAsync(Probe, "async", tenant: $"t{i}"), Is.EqualTo($"t{i} flow"));
        }
    }

    [Test]
    public async Task AfterACall_TheCallersFlowHasItsOwnContextBack()
    {
        s_flowValue.Value = "caller";
        for (var i = 0; i < 3; i++)
        {
            await CallAsync(Probe, "sync", tenant: "t");
            Assert.That(MicroContext.Current, Is.Null);
            Assert.That(s_flowValue.Value, Is.EqualTo("caller"));
        }

        using var scope = MicroContext.Begin();
        for (var i = 0; i < 3; i++)
        {
            await CallAsync(Probe, "sync", tenant: "t");
            Assert.That(MicroContext.Current, Is.SameAs(scope.Context));
        }
    }

    [Test]
    public void ACallFromTheKeptFlow_DoesNotPayForTheAsyncLocalWrite()
    {
        // A handler that allocates nothing (ints in, ints out) over a pooled state, from two flows
        // captured once: always the same one (the state's kept context is restored), or each call
        // from the other one (the async-local is set anew, and set back, every time).
        s_flowValue.Value = "a";
        var flowA = ExecutionContext.Capture()!;
        s_flowValue.Value = "b";
        var flowB = ExecutionContext.Capture()!;
        s_flowValue.Value = null;
        _addRequest = Request(Add, 41, tenant: null);

        var kept = AllocatedPerCall([flowA]);
        var alternating = AllocatedPerCall([flowA, flowB]);

        Assert.That(alternating - kept, Is.GreaterThanOrEqualTo(64), $"{kept:0.0} B per call from one flow, {alternating:0.0} B alternating two");
        if (typeof(MicroServer).Assembly.GetCustomAttribute<DebuggableAttribute>()?.IsJITOptimizerDisabled != true)
        {
            // Optimized, the server's own allocation is nothing at all (a Debug build's async
            // methods allocate their state machines, which the difference above leaves out).
            Assert.That(kept, Is.LessThan(8), $"{kept:0.0} bytes allocated per call");
        }

        double AllocatedPerCall(ExecutionContext[] flows)
        {
            const int calls = 2_000;
            for (var i = 0; i < 100; i++)
            {
                ExecutionContext.Run(flows[i % flows.Length], s_run, this);
            }
            var before = GC.GetAllocatedBytesForCurrentThread();
            for (var i = 0; i < calls; i++)
            {
                ExecutionContext.Run(flows[i % flows.Length], s_run, this);
            }
            return (GC.GetAllocatedBytesForCurrentThread() - before) / (double)calls;
        }
    }

    private static readonly ContextCallback s_run = static state => ((ServerAmbientContextTests)state!).RunAdd();

    private TransportRequest _addRequest;

    private void RunAdd()
    {
        // No assertion per call: NUnit's constraints allocate.
        var pending = ((ITransportHandler)_server).HandleAsync(_addRequest, CancellationToken.None);
        if (!pending.IsCompletedSuccessfully || pending.Result.Error is not null)
        {
            throw new InvalidOperationException("the call did not complete at once with a response");
        }
        pending.Result.Dispose();
    }

    private async Task<string> CallAsync(Method<string, string> method, string text, string tenant)
    {
        using var response = await ((ITransportHandler)_server).HandleAsync(Request(method, text, tenant), CancellationToken.None).Bounded();
        Assert.That(response.Error, Is.Null, response.Error?.Detail);
        return MessagePackCodec.Instance.Deserialize<string>(response.Body);
    }

    private static TransportRequest Request<TRequest, TResponse>(Method<TRequest, TResponse> method, TRequest value, string? tenant) =>
        DirectRequests.Create(method, value, TimeSpan.FromSeconds(5), tenant is null ? null : new Metadata { ["tenant"] = tenant });

    private sealed class Dispatcher : IServiceDispatcher
    {
        public ServiceDescriptor Descriptor { get; } = new("ambient", "1.0.0", "Ambient", new MethodDescriptor[] { Add, Probe });

        public ValueTask DispatchAsync(ServerCall call)
        {
            if (call.Endpoint == Add.Endpoint)
            {
                call.WriteResponse(call.ReadRequest<int>() + 1);
                return ValueTask.CompletedTask;
            }
            if (call.Endpoint == Probe.Endpoint)
            {
                return call.ReadRequest<string>() == "async" ? ProbeAfterYieldAsync(call) : Answer(call);
            }
            throw call.EndpointNotFound();
        }

        private static ValueTask Answer(ServerCall call)
        {
            var context = MicroContext.Current;
            Assert.That(context, Is.SameAs(call.Context));
            call.WriteResponse($"{context!.Metadata.Get("tenant") ?? "none"} {s_flowValue.Value ?? "none"}");
            return ValueTask.CompletedTask;
        }

        private static async ValueTask ProbeAfterYieldAsync(ServerCall call)
        {
            await Task.Yield();
            await Answer(call);
        }
    }
}
