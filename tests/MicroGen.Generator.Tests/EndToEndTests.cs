using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using MicroGen.Codec;
using MicroGen.Generator.Tests.Contracts;
using MicroGen.Generator.Tests.Infrastructure;
using MicroGen.Generator.Tests.Proto;
using NUnit.Framework;

namespace MicroGen.Generator.Tests;

/// <summary>
/// The generated proxy, descriptor, dispatcher and codecs of <see cref="IRoundTrip"/> (generated
/// by this project's own build), run together through <see cref="LoopbackClient"/>.
/// </summary>
[TestFixtureSource(typeof(Codecs), nameof(Codecs.All))]
public sealed class EndToEndTests(ICodec codec)
{
    private RoundTripHandler _handler = null!;
    private LoopbackClient _client = null!;
    private IRoundTrip _proxy = null!;

    [SetUp]
    public void SetUp()
    {
        _handler = new RoundTripHandler();
        var contract = ServiceContracts.Get<IRoundTrip>();
        _client = new LoopbackClient(contract.CreateDispatcher(_handler), codec);
        _proxy = _client.For<IRoundTrip>();
    }

    [Test]
    public void Registration_ModuleInitializer_RegistersContractWithDescriptor()
    {
        var descriptor = ServiceContracts.Get<IRoundTrip>().Descriptor;

        Assert.That(descriptor.Name, Is.EqualTo("roundtrip"));
        Assert.That(descriptor.Version, Is.EqualTo("2.0.0"));
        Assert.That(descriptor.ContractName, Is.EqualTo("RoundTrip"));
        Assert.That(descriptor.Methods, Has.Count.EqualTo(11));
        Assert.That(_proxy, Is.InstanceOf<RoundTripClient>());
    }

    [Test]
    public void Descriptor_Attributes_SetEndpointIdempotencyAndContentType()
    {
        Assert.That(RoundTripDescriptor.Keywords.Endpoint, Is.EqualTo("RoundTrip.Keywords"));
        Assert.That(RoundTripDescriptor.Proto.Idempotent, Is.True);
        Assert.That(RoundTripDescriptor.SayHello.Idempotent, Is.False);
        Assert.That(RoundTripDescriptor.Proto.DefaultContentType, Is.EqualTo(ContentTypes.Protobuf));
        Assert.That(RoundTripDescriptor.Ping.DefaultContentType, Is.EqualTo(ContentTypes.Protobuf));
        Assert.That(RoundTripDescriptor.SayHello.DefaultContentType, Is.EqualTo(ContentTypes.MessagePack));
        Assert.That(RoundTripDescriptor.Add.DefaultContentType, Is.EqualTo(ContentTypes.MessagePack));
    }

    [Test]
    public async Task SayHello_Dto_ReachesHandlerAndReplies()
    {
        var reply = await _proxy.SayHello(new HelloRequest { Name = "world" });

        Assert.That(reply, Is.EqualTo(new HelloReply("hello world")));
        Assert.That(_client.Calls[0].Endpoint, Is.EqualTo("RoundTrip.SayHello"));
    }

    [Test]
    public async Task Add_TwoArguments_TravelAsArgumentStruct()
    {
        var sum = await _proxy.Add(int.MaxValue - 5, 5);

        Assert.That(sum, Is.EqualTo(int.MaxValue));
    }

    [Test]
    public async Task Ping_NoArgumentsNoResult_RunsHandler()
    {
        await _proxy.Ping();

        Assert.That(_handler.Pings, Is.EqualTo(1));
        Assert.That(_client.Tokens[0], Is.EqualTo(CancellationToken.None));
    }

    [Test]
    public async Task Touch_ValueTaskWithToken_PassesTokenAndArgument()
    {
        using var cts = new CancellationTokenSource();

        await _proxy.Touch("key-1", cts.Token);

        Assert.That(_handler.Touched, Is.EqualTo(new[] { "key-1" }));
        Assert.That(_client.Tokens[0], Is.EqualTo(cts.Token));
        Assert.That(_handler.LastToken, Is.EqualTo(cts.Token));
    }

    [Test]
    public async Task Keywords_KeywordParameterNames_RoundTrip()
    {
        var result = await _proxy.Keywords(41, "x");

        Assert.That(result, Is.EqualTo(42));
    }

    [Test]
    public async Task Search_NullableEnumArgumentAndGenericPage_RoundTrip()
    {
        var page = await _proxy.Search("q", 3, Color.Blue);

        Assert.That(page.Items, Has.Count.EqualTo(3));
        Assert.That(page.Cursor, Is.EqualTo("q:Blue"));
        Assert.That(page.Total, Is.EqualTo(3));

        var empty = await _proxy.Search("none", 0, null);
        Assert.That(empty.Items, Is.Empty);
        Assert.That(empty.Cursor, Is.EqualTo("none:"));
    }

    [Test]
    public async Task Proto_ProtobufMessage_RoundTrips()
    {
        var message = new PingMessage { Text = "hi", Number = long.MinValue, Tags = { "a", "b" } };

        var reply = await _proxy.Proto(message);

        Assert.That(reply, Is.EqualTo(message));
    }

    [Test]
    public async Task EchoProfile_InitOnlyRecord_ReachesHandlerAndReplies()
    {
        var profile = new Profile { Name = "Ada", Age = 36, Tags = ["math", "engines"], Home = new Point(1, 2), Born = new DateTime(1815, 12, 10, 0, 0, 0, DateTimeKind.Utc) };

        var reply = await _proxy.EchoProfile(profile).WaitAsync(TimeSpan.FromSeconds(10));

        Assert.That(reply.Name, Is.EqualTo("Ada"));
        Assert.That(reply.Age, Is.EqualTo(37), "the handler's change came back");
        Assert.That(reply.Nickname, Is.Null);
        Assert.That(reply.Tags, Is.EqualTo(new[] { "math", "engines" }));
        Assert.That(reply.Home, Is.EqualTo(new Point(1, 2)));
        Assert.That(reply.Born, Is.EqualTo(profile.Born));
    }

    [Test]
    public void Dispatcher_UnknownEndpoint_Throws404()
    {
        var dispatcher = ServiceContracts.Get<IRoundTrip>().CreateDispatcher(_handler);
        var client = new LoopbackClient(dispatcher, codec);
        var bogus = new MicroGen.Client.Method<Empty, Empty>("roundtrip", "RoundTrip.Nope");

        var error = Assert.ThrowsAsync<MicroException>(async () => await client.CallAsync(bogus, Empty.Value));

        Assert.That(error!.Code, Is.EqualTo(404));
    }

    private sealed class RoundTripHandler : IRoundTrip
    {
        public int Pings { get; private set; }

        public List<string> Touched { get; } = new();

        public CancellationToken LastToken { get; private set; }

        public Task<HelloReply> SayHello(HelloRequest request, CancellationToken cancellationToken = default) =>
            Task.FromResult(new HelloReply("hello " + request.Name));

        public ValueTask<int> Add(int a, int b, CancellationToken cancellationToken = default) => ValueTask.FromResult(a + b);

        public Task Ping()
        {
            Pings++;
            return Task.CompletedTask;
        }

        public ValueTask Touch(string key, CancellationToken ct)
        {
            Touched.Add(key);
            LastToken = ct;
            return ValueTask.CompletedTask;
        }

        public Task<Everything> Echo(Everything value, CancellationToken cancellationToken = default) => Task.FromResult(value);

        public Task<Primitives> EchoPrimitives(Primitives value) => Task.FromResult(value);

        public Task<TreeNode?> EchoTree(TreeNode? node) => Task.FromResult(node);

        public Task<Profile> EchoProfile(Profile profile) => Task.FromResult(profile with { Age = profile.Age + 1 });

        public Task<Page<Item>> Search(string query, int limit, Color? color, CancellationToken cancellationToken = default)
        {
            var items = new List<Item>();
            for (var i = 0; i < limit; i++)
            {
                items.Add(new Item(Guid.NewGuid(), query + i, i * 1.5m));
            }
            return Task.FromResult(new Page<Item> { Items = items, Total = limit, Cursor = query + ":" + color });
        }

        public Task<PingMessage> Proto(PingMessage message, CancellationToken cancellationToken = default) => Task.FromResult(message);

        public Task<int> Keywords(int @class, string @event, CancellationToken cancellationToken = default) => Task.FromResult(@class + @event.Length);
    }
}
