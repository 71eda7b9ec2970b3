using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using MicroGen.Client;
using MicroGen.Codec;
using MicroGen.Registry;
using MicroGen.Selector;
using MicroGen.Server;
using MicroGen.Service;
using MicroGen.Tests.EndToEnd;
using MicroGen.Transport;
using NUnit.Framework;

namespace MicroGen.Tests.Runtime;

/// <summary>
/// The client/server runtime exercised through a hand-written dispatcher, independent of the
/// generator: deadlines, cancellation, errors, metadata, unknown services, endpoints and content
/// types, on each transport.
/// </summary>
[TestFixtureSource(typeof(Transports), nameof(Transports.All))]
public sealed class ManualDispatcherTests(string transport)
{
    private static readonly Method<string, string> Echo = new("echo", "Echo.Echo");
    private static readonly Method<string, string> Sleep = new("echo", "Echo.Sleep");
    private static readonly Method<string, string> Fail = new("echo", "Echo.Fail");
    private static readonly Method<string, string> Missing = new("echo", "Echo.Missing");

    private InMemoryRegistry _registry = null!;
    private MicroService _server = null!;
    private MicroService _caller = null!;
    private EchoDispatcher _dispatcher = null!;

    private readonly List<ITransport> _transports = new();

    /// <summary>A transport of this fixture's kind, closed in <see cref="TearDown"/> (services do not close one handed in).</summary>
    private ITransport NewTransport()
    {
        var created = Transports.Create(transport);
        _transports.Add(created);
        return created;
    }

    [SetUp]
    public async Task SetUp()
    {
        _registry = new InMemoryRegistry();
        _dispatcher = new EchoDispatcher();
        _server = new MicroService(new ServiceOptions { Name = "echo", Registry = _registry, Transport = NewTransport() });
        _server.Server.AddDispatcher(_dispatcher);
        await _server.StartAsync().Bounded();
        _caller = new MicroService(new ServiceOptions { Name = "caller", Registry = _registry, Transport = NewTransport() });
    }

    [TearDown]
    public async Task TearDown()
    {
        if (_caller is not null)
        {
            await _caller.DisposeAsync();
        }
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
        foreach (var created in _transports)
        {
            await created.DisposeAsync();
        }
        _transports.Clear();
    }

    [Test]
    public async Task Call_Unary_ReturnsReply()
    {
        var reply = await _caller.Client.CallAsync(Echo, "hello").Bounded();
        Assert.That(reply, Is.EqualTo("echo: hello"));
    }

    [TestCase(ContentTypes.MessagePack)]
    [TestCase(ContentTypes.Json)]
    public async Task Call_WithContentType_ServerAnswersInIt(string contentType)
    {
        var reply = await _caller.Client.CallAsync(Echo, "x", new CallOptions { ContentType = contentType }).Bounded();
        Assert.That(reply, Is.EqualTo("echo: x"));
    }

    [Test]
    public void Call_HandlerThrowsMicroException_ArrivesAsSame()
    {
        var e = Assert.ThrowsAsync<MicroException>(async () => await _caller.Client.CallAsync(Fail, "micro").Bounded());
        Assert.That(e!.Code, Is.EqualTo(409));
        Assert.That(e.Id, Is.EqualTo("echo.fail"));
        Assert.That(e.Detail, Is.EqualTo("conflict detail"));
        Assert.That(e.Status, Is.EqualTo("Conflict"));
    }

    [Test]
    public void Call_HandlerThrowsOtherException_Arrives500WithoutDetails()
    {
        var e = Assert.ThrowsAsync<MicroException>(async () => await _caller.Client.CallAsync(Fail, "other").Bounded());
        Assert.That(e!.Code, Is.EqualTo(500));
        Assert.That(e.Detail, Is.EqualTo("internal server error"));
        Assert.That(e.Message, Does.Not.Contain("secret"));
    }

    [Test]
    public void Call_UnknownEndpoint_Returns404()
    {
        var e = Assert.ThrowsAsync<MicroException>(async () => await _caller.Client.CallAsync(Missing, "x").Bounded());
        Assert.That(e!.Code, Is.EqualTo(404));
        Assert.That(e.Detail, Does.Contain("Echo.Missing"));
    }

    [Test]
    public void Call_UnknownService_Returns404NamingServiceAndRegistry()
    {
        var e = Assert.ThrowsAsync<MicroException>(async () =>
            await _caller.Client.CallAsync(Echo, "x", new CallOptions { Service = "nobody" }).Bounded());
        Assert.That(e!.Code, Is.EqualTo(MicroStatusCode.NotFound));
        Assert.That(e.Detail, Is.EqualTo("service nobody is not registered (registry: memory)"));
    }

    [Test]
    public void ServerStream_UnknownService_Returns404()
    {
        var watch = new Method<string, string>("nobody", "Echo.Watch", MethodType.ServerStreaming);
        using var bound = new CancellationTokenSource(TestTimeouts.Default);

        var e = Assert.ThrowsAsync<MicroException>(async () =>
        {
            await foreach (var _ in _caller.Client.ServerStreamAsync(watch, "x", cancellationToken: bound.Token))
            {
            }
        });

        Assert.That(e!.Code, Is.EqualTo(MicroStatusCode.NotFound));
        Assert.That(e.Detail, Is.EqualTo("service nobody is not registered (registry: memory)"));
    }

    [Test]
    public void Call_RegisteredServiceNoNodePassesFilters_Returns503()
    {
        var options = new CallOptions { Filters = new[] { SelectFilters.Version("9.9.9") } };

        var e = Assert.ThrowsAsync<MicroException>(async () => await _caller.Client.CallAsync(Echo, "x", options).Bounded());

        Assert.That(e!.Code, Is.EqualTo(MicroStatusCode.ServiceUnavailable));
        Assert.That(e.Detail, Does.Contain("no node of service echo passes the selection filters"));
    }

    [Test]
    public void Call_ContentTypeWithoutClientCodec_ClearError()
    {
        var e = Assert.ThrowsAsync<MicroException>(async () =>
            await _caller.Client.CallAsync(Echo, "x", new CallOptions { ContentType = "application/xml" }).Bounded());
        Assert.That(e!.Code, Is.EqualTo(415));
        Assert.That(e.Detail, Does.Contain("application/xml"));
    }

    [Test]
    public async Task Call_ServerLacksCodec_Returns415NamingSupported()
    {
        await using var server = new MicroServer(new ServerOptions
        {
            Name = "json-only", Transport = NewTransport(), Registry = _registry,
            Codecs = new List<ICodec> { JsonCodec.Instance },
        });
        server.AddDispatcher(new EchoDispatcher());
        await server.StartAsync().Bounded();
        var e = Assert.ThrowsAsync<MicroException>(async () =>
            await _caller.Client.CallAsync(Echo, "x", new CallOptions { Address = server.Address }).Bounded());
        Assert.That(e!.Code, Is.EqualTo(415));
        Assert.That(e.Detail, Does.Contain("application/msgpack").And.Contain("application/json"));
    }

    [Test]
    public async Task Call_PastDeadline_HandlerCancelledAndCallerGetsTimeout()
    {
        var e = Assert.ThrowsAsync<MicroException>(async () =>
            await _caller.Client.CallAsync(Sleep, "10000", new CallOptions { Timeout = TimeSpan.FromMilliseconds(200) }).Bounded());
        Assert.That(e!.Code, Is.EqualTo(408));
        var observed = await _dispatcher.SleepCancelled.Task.Bounded();
        Assert.That(observed, Is.True, "the handler's token fired");
    }

    [Test]
    public async Task Call_DeadlineCrossesTheWire_HandlerSeesIt()
    {
        await _caller.Client.CallAsync(Echo, "deadline", new CallOptions { Timeout = TimeSpan.FromSeconds(3) }).Bounded();
        Assert.That(_dispatcher.LastDeadline, Is.Not.Null);
        Assert.That(_dispatcher.LastDeadline!.Value - DateTimeOffset.UtcNow, Is.LessThanOrEqualTo(TimeSpan.FromSeconds(3)));
    }

    [Test]
    public async Task Call_CallerCancels_HandlerObservesIt()
    {
        using var cts = new CancellationTokenSource();
        var call = _caller.Client.CallAsync(Sleep, "10000", cancellationToken: cts.Token).AsTask();
        await _dispatcher.SleepStarted.Task.Bounded();
        cts.Cancel();
        var e = Assert.CatchAsync<OperationCanceledException>(async () => await call.Bounded());
        Assert.That(e!.CancellationToken, Is.EqualTo(cts.Token));
        Assert.That(await _dispatcher.SleepCancelled.Task.Bounded(), Is.True);
    }

    [Test]
    public async Task Call_MetadataBothWays()
    {
        using var scope = MicroContext.Begin();
        scope.Context.Metadata["tenant"] = "acme";
        var reply = await _caller.Client.CallAsync(Echo, "meta", new CallOptions { Metadata = new Metadata().Set("x-call", "1") }).Bounded();
        Assert.That(reply, Is.EqualTo("echo: meta tenant=acme x-call=1"));
        Assert.That(scope.Context.ResponseMetadata.Get("served-by"), Is.EqualTo("echo"));
    }

    private sealed class EchoDispatcher : IServiceDispatcher
    {
        public ServiceDescriptor Descriptor { get; } = new("echo", "1.0.0", "Echo", new MethodDescriptor[] { Echo, Sleep, Fail });

        public DateTimeOffset? LastDeadline { get; private set; }

        public TaskCompletionSource SleepStarted { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource<bool> SleepCancelled { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public ValueTask DispatchAsync(ServerCall call) => call.Endpoint switch
        {
            "Echo.Echo" => EchoAsync(call),
            "Echo.Sleep" => SleepAsync(call),
            "Echo.Fail" => FailAsync(call),
            _ => throw call.EndpointNotFound(),
        };

        private ValueTask EchoAsync(ServerCall call)
        {
            var text = call.ReadRequest<string>();
            LastDeadline = call.Context.Deadline;
            var context = MicroContext.Current!;
            if (text == "meta")
            {
                text += $" tenant={context.Metadata.Get("tenant")} x-call={context.Metadata.Get("x-call")}";
                context.ResponseMetadata["served-by"] = "echo";
            }
            call.WriteResponse("echo: " + text);
            return ValueTask.CompletedTask;
        }

        private async ValueTask SleepAsync(ServerCall call)
        {
            var ms = int.Parse(call.ReadRequest<string>(), System.Globalization.CultureInfo.InvariantCulture);
            SleepStarted.TrySetResult();
            try
            {
                await Task.Delay(ms, call.CancellationToken);
            }
            catch (OperationCanceledException)
            {
                SleepCancelled.TrySetResult(true);
                throw;
            }
            call.WriteResponse("slept");
        }

        private static ValueTask FailAsync(ServerCall call)
        {
            var kind = call.ReadRequest<string>();
            if (kind == "micro")
            {
                throw new MicroException("echo.fail", 409, "conflict detail");
            }
            throw new InvalidOperationException("secret internal detail");
        }
    }
}
