using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using MicroGen.Client;
using MicroGen.Codec;
using MicroGen.Registry;
using MicroGen.Service;
using MicroGen.Tests.Protos;
using NUnit.Framework;

namespace MicroGen.Tests.EndToEnd;

/// <summary>
/// Generated proxies and dispatchers end to end: every shape, every codec, errors, deadlines,
/// cancellation and metadata, on each transport.
/// </summary>
[TestFixtureSource(typeof(Transports), nameof(Transports.All))]
public sealed class EndToEndTests(string transport)
{
    private ServicePair? _services;
    private InMemoryRegistry _registry = null!;
    private IService _server = null!;
    private IService _caller = null!;
    private ShapesHandler _shapes = null!;
    private BehaviourHandler _behaviour = null!;

    [SetUp]
    public async Task SetUp()
    {
        _shapes = new ShapesHandler();
        _behaviour = new BehaviourHandler();
        _services = await ServicePair.StartAsync(transport, "e2e", s => s.Handle<IShapes>(_shapes).Handle<IBehaviour>(_behaviour).Handle<IPinger>(new PingerHandler()));
        _registry = _services.Registry;
        _server = _services.Server;
        _caller = _services.Caller;
    }

    [TearDown]
    public async Task TearDown()
    {
        if (_services is not null)
        {
            await _services.DisposeAsync();
        }
    }

    private static IEnumerable<string> ContentTypesForDtos => new[] { ContentTypes.MessagePack, ContentTypes.Json };

    private IShapes Shapes(string? contentType = null) =>
        _caller.Client.For<IShapes>(contentType is null ? null : new CallOptions { ContentType = contentType });

    [TestCaseSource(nameof(ContentTypesForDtos))]
    public async Task Unary_EveryShape_RoundTrips(string contentType)
    {
        var shapes = Shapes(contentType);

        Assert.That(await shapes.Echo("héllo 🌍").Bounded(), Is.EqualTo("héllo 🌍"));
        Assert.That(await shapes.Add(40, 2).Bounded(), Is.EqualTo(42));
        Assert.That(await shapes.Count().Bounded(), Is.EqualTo(1));
        await shapes.Touch("key-1").Bounded();
        Assert.That(_shapes.LastTouched, Is.EqualTo("key-1"));
        await shapes.Reset().Bounded();
        Assert.That(await shapes.Count().Bounded(), Is.Zero);
        Assert.That(await shapes.Keywords("c", 7).Bounded(), Is.EqualTo("c:7"));
        Assert.That(await shapes.OriginalName().Bounded(), Is.EqualTo("renamed"));
        Assert.That(await shapes.Maybe(21).Bounded(), Is.EqualTo(42));
        Assert.That(await shapes.Maybe(null).Bounded(), Is.Null);
        Assert.That(await shapes.Audit("inherited").Bounded(), Is.EqualTo("audited: inherited"));
    }

    [TestCaseSource(nameof(ContentTypesForDtos))]
    public async Task Unary_UserTypes_RoundTrip(string contentType)
    {
        var shapes = Shapes(contentType);
        var order = new Order
        {
            Id = Guid.NewGuid(),
            PlacedAt = new DateTimeOffset(2026, 11, 25, 10, 30, 0, TimeSpan.FromHours(5.5)),
            Items = { new Item("a", 1.25m, Priority.High) },
            Tags = { ["k"] = "v" },
            Discount = 7,
            Signature = new byte[] { 1, 2, 3 },
        };

        var placed = await shapes.Place(order, new Item("b", 79228162514264337593543950335m, Priority.Low)).Bounded();

        Assert.That(placed.Id, Is.EqualTo(order.Id));
        Assert.That(placed.PlacedAt, Is.EqualTo(order.PlacedAt));
        Assert.That(placed.PlacedAt.Offset, Is.EqualTo(TimeSpan.FromHours(5.5)));
        Assert.That(placed.Items, Is.EqualTo(new[] { new Item("a", 1.25m, Priority.High), new Item("b", 79228162514264337593543950335m, Priority.Low) }));
        Assert.That(placed.Tags, Is.EqualTo(new Dictionary<string, string> { ["k"] = "v", ["placed"] = "yes" }));
        Assert.That(placed.Discount, Is.EqualTo(7));
        Assert.That(placed.Signature, Is.EqualTo(new byte[] { 1, 2, 3 }));

        var page = await shapes.List(3, 4).Bounded();
        Assert.That(page.Total, Is.EqualTo(1000));
        Assert.That(page.Items.Select(i => i.Name), Is.EqualTo(new[] { "item-3", "item-4", "item-5", "item-6" }));

        var sorted = await shapes.Sort(new[] { new Item("z", 1, Priority.Normal), new Item("a", 2, Priority.Normal) }).Bounded();
        Assert.That(sorted.Select(i => i.Name), Is.EqualTo(new[] { "a", "z" }));
    }

    [TestCase(null)]
    [TestCase(ContentTypes.Protobuf)]
    [TestCase(ContentTypes.MessagePack)]
    [TestCase(ContentTypes.Json)]
    public async Task Unary_ProtobufMessages_RoundTripInEveryCodec(string? contentType)
    {
        var pinger = _caller.Client.For<IPinger>(contentType is null ? null : new CallOptions { ContentType = contentType });
        var reply = await pinger.Ping(new PingRequest { Name = "proto", Count = 3 }).Bounded();
        Assert.That(reply.Message, Is.EqualTo("pong proto"));
        Assert.That(reply.Numbers, Is.EqualTo(new[] { 0, 1, 2 }));
    }

    [Test]
    public void Unary_NonProtobufTypesOverProtobuf_ClearError()
    {
        var e = Assert.ThrowsAsync<MicroException>(async () => await Shapes(ContentTypes.Protobuf).Echo("x").Bounded());
        Assert.That(e!.Code, Is.EqualTo(MicroStatusCode.UnsupportedMediaType));
        Assert.That(e.Detail, Does.Contain("protobuf"));
    }

    [Test]
    public void Errors_MicroException_ArrivesAsTheSame()
    {
        var behaviour = _caller.Client.For<IBehaviour>();
        var e = Assert.ThrowsAsync<MicroException>(async () => await behaviour.Fail(403, "not yours").Bounded());
        Assert.That(e!.Id, Is.EqualTo("behaviour.fail"));
        Assert.That(e.Code, Is.EqualTo(403));
        Assert.That(e.Detail, Is.EqualTo("not yours"));
        Assert.That(e.Status, Is.EqualTo("Forbidden"));
    }

    [Test]
    public void Errors_OtherException_Arrives500WithoutText()
    {
        var behaviour = _caller.Client.For<IBehaviour>();
        var e = Assert.ThrowsAsync<MicroException>(async () => await behaviour.Crash().Bounded());
        Assert.That(e!.Code, Is.EqualTo(500));
        Assert.That(e.Detail, Does.Not.Contain("hunter2"));
        Assert.That(e.ToString(), Does.Not.Contain("hunter2"));
        Assert.That(e.ToString(), Does.Not.Contain(nameof(BehaviourHandler)));
    }

    [Test]
    public void Errors_HandlerCancelsItself_Arrives499NotAs500()
    {
        // Arrange
        var behaviour = _caller.Client.For<IBehaviour>();

        // Act: no caller token, no deadline, the server keeps running: only the handler cancelled.
        var e = Assert.ThrowsAsync<MicroException>(async () => await behaviour.GiveUp().Bounded());

        // Assert: a unary caller keeps the MicroException; its code says who gave up.
        Assert.That(e!.Code, Is.EqualTo(MicroStatusCode.Cancelled));
        Assert.That(e.Detail, Is.EqualTo("the handler cancelled the call"));
        Assert.That(e.ToString(), Does.Not.Contain(nameof(TaskCanceledException)));
    }

    [Test]
    public async Task Deadline_HandlerSleepsPastIt_CancelledAndCallerTimesOut()
    {
        var behaviour = _caller.Client.For<IBehaviour>(new CallOptions { Timeout = TimeSpan.FromMilliseconds(300) });
        var e = Assert.ThrowsAsync<MicroException>(async () => await behaviour.Sleep(30_000).Bounded());
        Assert.That(e!.Code, Is.EqualTo(MicroStatusCode.Timeout));
        Assert.That(await _behaviour.SleepEnded.Task.Bounded(), Is.EqualTo("cancelled"));
    }

    [Test]
    public async Task Deadline_ClientDefaultTimeout_Applies()
    {
        await using var impatient = Micro.CreateService(o =>
        {
            o.Name = "impatient";
            o.Registry = _registry;
            o.Transport = Transports.Create(transport);
            o.CallTimeout = TimeSpan.FromMilliseconds(250);
        });
        var e = Assert.ThrowsAsync<MicroException>(async () => await impatient.Client.For<IBehaviour>().Sleep(30_000).Bounded());
        Assert.That(e!.Code, Is.EqualTo(MicroStatusCode.Timeout));
        Assert.That(await _behaviour.SleepEnded.Task.Bounded(), Is.EqualTo("cancelled"));
    }

    [Test]
    public async Task Cancellation_CallerCancels_HandlerObservesIt()
    {
        using var cts = new CancellationTokenSource();
        var call = _caller.Client.For<IBehaviour>().Sleep(30_000, cts.Token);
        await _behaviour.SleepStarted.Task.Bounded();

        cts.Cancel();

        Assert.CatchAsync<OperationCanceledException>(async () => await call.Bounded());
        Assert.That(await _behaviour.SleepEnded.Task.Bounded(), Is.EqualTo("cancelled"));
    }

    [Test]
    public async Task Metadata_FlowsBothWays()
    {
        using var scope = MicroContext.Begin();
        scope.Context.Metadata["tenant"] = "acme";

        var seen = await _caller.Client.For<IBehaviour>().Headers("tenant").Bounded();

        Assert.That(seen, Is.EqualTo("acme"));
        Assert.That(scope.Context.ResponseMetadata.Get("echo-tenant"), Is.EqualTo("acme"));
    }

    [Test]
    public async Task Metadata_PerCallOptions_AddToAmbient()
    {
        var behaviour = _caller.Client.For<IBehaviour>(new CallOptions { Metadata = new Metadata().Set("trace", "t-1") });
        Assert.That(await behaviour.Headers("trace").Bounded(), Is.EqualTo("t-1"));
        Assert.That(await behaviour.Headers("absent").Bounded(), Is.EqualTo("<missing>"));
    }

    [Test]
    public async Task Registry_NodeAdvertisesEndpointsAndVersion()
    {
        var services = await _registry.GetServiceAsync("shapes").Bounded();
        Assert.That(services, Has.Count.EqualTo(1));
        Assert.That(services[0].Version, Is.EqualTo("2.1.0"));
        var endpoints = services[0].Endpoints.Select(e => e.Name).ToArray();
        Assert.That(endpoints, Does.Contain("Shapes.Echo").And.Contain("Shapes.Renamed").And.Contain("Shapes.Audit"));
        Assert.That(services[0].Nodes.Single().Address, Is.EqualTo(_server.Server.Address));
    }

    [Test]
    public async Task Concurrency_ManyCallsAtOnce_EachGetsItsOwnReply()
    {
        var shapes = Shapes();
        var calls = Enumerable.Range(0, 500).Select(i => shapes.Add(i, i)).ToArray();
        var results = await Task.WhenAll(calls).Bounded();
        Assert.That(results, Is.EqualTo(Enumerable.Range(0, 500).Select(i => i * 2)));
    }

    [Test]
    public void For_UnregisteredInterface_ClearError()
    {
        var e = Assert.Throws<InvalidOperationException>(() => _caller.Client.For<IDisposable>());
        Assert.That(e!.Message, Does.Contain("[MicroService]"));
    }
}
