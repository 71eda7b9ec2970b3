using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using MicroGen.Client;
using MicroGen.Registry;
using MicroGen.Selector;
using MicroGen.Server;
using MicroGen.Transport;
using NUnit.Framework;

namespace MicroGen.Tests.Runtime;

/// <summary>
/// The client's retry policy (DESIGN.md, <c>[Idempotent]</c>): a call is retried on another node
/// only when it provably never reached a handler or its method is idempotent, and never more
/// often than <see cref="ClientOptions.Retries"/> allows. Two real servers on the in-memory
/// transport; the caller's transport injects the failures.
/// </summary>
[TestFixture]
public sealed class ClientRetryTests
{
    private static readonly Method<string, string> Charge = new("flaky", "Flaky.Charge");
    private static readonly Method<string, string> Lookup = new("flaky", "Flaky.Lookup", idempotent: true);

    private InMemoryRegistry _registry = null!;
    private readonly List<MicroServer> _servers = new();
    private readonly Dictionary<string, NodeDispatcher> _byAddress = new(StringComparer.Ordinal);
    private FaultInjectingTransport _transport = null!;

    [SetUp]
    public async Task SetUp()
    {
        _registry = new InMemoryRegistry();
        foreach (var id in new[] { "node-a", "node-b" })
        {
            var dispatcher = new NodeDispatcher(id);
            var server = new MicroServer(new ServerOptions { Name = "flaky", Id = id, Transport = new InMemoryTransport(), Registry = _registry });
            server.AddDispatcher(dispatcher);
            await server.StartAsync().Bounded();
            _servers.Add(server);
            _byAddress.Add(server.Address!, dispatcher);
        }
        _transport = new FaultInjectingTransport(new InMemoryTransport());
    }

    [TearDown]
    public async Task TearDown()
    {
        foreach (var server in _servers)
        {
            await server.DisposeAsync();
        }
        _servers.Clear();
        _byAddress.Clear();
    }

    private MicroClient CreateClient(int retries = ClientOptions.DefaultRetries) => new(new ClientOptions
    {
        Transport = _transport,
        Registry = _registry,
        Selector = new RoundRobinSelector(),
        Retries = retries,
    });

    private int HandlerRuns => _byAddress.Values.Sum(static d => d.Runs);

    private string NodeAt(string address) => _byAddress[address].NodeId;

    [Test]
    public async Task Call_NotIdempotentFailsAfterReachingHandler_503AfterOneAttempt()
    {
        await using var client = CreateClient();
        _transport.Plan = static (attempt, _) => attempt == 0 ? InjectedFault.AfterHandler : InjectedFault.None;

        var e = Assert.ThrowsAsync<MicroException>(async () => await client.CallAsync(Charge, "card-1").Bounded());

        Assert.That(e!.Code, Is.EqualTo(MicroStatusCode.ServiceUnavailable));
        Assert.That(e.Detail, Does.Contain("flaky/Flaky.Charge").And.Contain("dropped before the reply"));
        Assert.That(_transport.Attempts, Has.Count.EqualTo(1), "a call that may have run is not retried");
        Assert.That(HandlerRuns, Is.EqualTo(1), "the card was charged once, never twice");
    }

    [Test]
    public async Task Call_IdempotentFailsAfterReachingHandler_RetriedOnOtherNodeAndSucceeds()
    {
        await using var client = CreateClient();
        _transport.Plan = static (attempt, _) => attempt == 0 ? InjectedFault.AfterHandler : InjectedFault.None;

        var reply = await client.CallAsync(Lookup, "key").Bounded();

        var attempts = _transport.Attempts;
        Assert.That(attempts, Has.Count.EqualTo(2));
        Assert.That(attempts[1], Is.Not.EqualTo(attempts[0]), "the retry goes to another node");
        Assert.That(reply, Is.EqualTo(NodeAt(attempts[1]) + ": key"));
        Assert.That(HandlerRuns, Is.EqualTo(2), "an idempotent call may run twice");
    }

    [Test]
    public async Task Call_NotProcessedFailure_RetriedOnOtherNodeAndSucceeds()
    {
        await using var client = CreateClient();
        _transport.Plan = static (attempt, _) => attempt == 0 ? InjectedFault.BeforeSend : InjectedFault.None;

        var reply = await client.CallAsync(Charge, "card-2").Bounded();

        var attempts = _transport.Attempts;
        Assert.That(attempts, Has.Count.EqualTo(2));
        Assert.That(attempts[1], Is.Not.EqualTo(attempts[0]), "the retry goes to another node");
        Assert.That(reply, Is.EqualTo(NodeAt(attempts[1]) + ": card-2"));
        Assert.That(_byAddress[attempts[0]].Runs, Is.Zero);
        Assert.That(HandlerRuns, Is.EqualTo(1));
    }

    [Test]
    public async Task Call_RetriedOnAnotherNode_RequestWrittenOnceAfterTheFirstConnection()
    {
        // The body is written once, after the first connection is in hand (so a first call's dial
        // overlaps a codec's one-off set-up), and every attempt sends those same bytes.
        var counting = new CountingCodec(MicroGen.Codec.MessagePackCodec.Instance);
        await using var client = new MicroClient(new ClientOptions
        {
            Transport = _transport,
            Registry = _registry,
            Selector = new RoundRobinSelector(),
            Codecs = [counting],
        });
        _transport.Plan = (attempt, _) =>
        {
            counting.SerializedAtAttempt.Add(counting.Serialized);
            return attempt == 0 ? InjectedFault.BeforeSend : InjectedFault.None;
        };

        var reply = await client.CallAsync(Charge, "card-3").Bounded();

        Assert.That(counting.Serialized, Is.EqualTo(1), "written once for both attempts");
        Assert.That(counting.SerializedAtAttempt, Is.EqualTo(new[] { 1, 1 }), "written before the first attempt's invoke");
        Assert.That(reply, Is.EqualTo(NodeAt(_transport.Attempts[1]) + ": card-3"));
    }

    [Test]
    public async Task Call_NoNodeKnown_404AndTheRequestIsNeverWritten()
    {
        var counting = new CountingCodec(MicroGen.Codec.MessagePackCodec.Instance);
        await using var client = new MicroClient(new ClientOptions
        {
            Transport = _transport,
            Registry = new InMemoryRegistry(),
            Codecs = [counting],
        });

        var e = Assert.ThrowsAsync<MicroException>(async () => await client.CallAsync(Charge, "card-4").Bounded());

        Assert.That(e!.Code, Is.EqualTo(MicroStatusCode.NotFound));
        Assert.That(counting.Serialized, Is.Zero);
    }

    private sealed class CountingCodec(MicroGen.Codec.ICodec inner) : MicroGen.Codec.ICodec
    {
        public int Serialized;
        public readonly List<int> SerializedAtAttempt = new();

        public string Name => inner.Name;

        public string ContentType => inner.ContentType;

        public bool CanCarry<T>() => inner.CanCarry<T>();

        public void Serialize<T>(System.Buffers.IBufferWriter<byte> writer, T value)
        {
            Serialized++;
            inner.Serialize(writer, value);
        }

        public T Deserialize<T>(in System.Buffers.ReadOnlySequence<byte> data) => inner.Deserialize<T>(data);
    }

    [TestCase(0)]
    [TestCase(1)]
    [TestCase(3)]
    public async Task Call_EveryAttemptNotProcessed_AttemptsBoundedByClientRetries(int retries)
    {
        await using var client = CreateClient(retries);
        _transport.Plan = static (_, _) => InjectedFault.BeforeSend;

        var e = Assert.ThrowsAsync<MicroException>(async () => await client.CallAsync(Charge, "x").Bounded());

        Assert.That(e!.Code, Is.EqualTo(MicroStatusCode.ServiceUnavailable));
        Assert.That(_transport.Attempts, Has.Count.EqualTo(retries + 1));
        Assert.That(HandlerRuns, Is.Zero);
    }

    [Test]
    public async Task Call_IdempotentEveryAttemptDrops_AttemptsBoundedByCallRetries()
    {
        await using var client = CreateClient(retries: 5);
        _transport.Plan = static (_, _) => InjectedFault.AfterHandler;

        var e = Assert.ThrowsAsync<MicroException>(async () => await client.CallAsync(Lookup, "x", new CallOptions { Retries = 2 }).Bounded());

        Assert.That(e!.Code, Is.EqualTo(MicroStatusCode.ServiceUnavailable));
        Assert.That(_transport.Attempts, Has.Count.EqualTo(3), "CallOptions.Retries overrides ClientOptions.Retries");
        Assert.That(HandlerRuns, Is.EqualTo(3));
    }

    /// <summary>Answers <c>"{node}: {request}"</c> on both endpoints and counts the calls it ran.</summary>
    private sealed class NodeDispatcher(string nodeId) : IServiceDispatcher
    {
        private int _runs;

        public string NodeId => nodeId;

        public int Runs => Volatile.Read(ref _runs);

        public ServiceDescriptor Descriptor { get; } = new("flaky", "1.0.0", "Flaky", new MethodDescriptor[] { Charge, Lookup });

        public ValueTask DispatchAsync(ServerCall call)
        {
            if (call.Endpoint is not ("Flaky.Charge" or "Flaky.Lookup"))
            {
                throw call.EndpointNotFound();
            }
            Interlocked.Increment(ref _runs);
            call.WriteResponse(nodeId + ": " + call.ReadRequest<string>());
            return ValueTask.CompletedTask;
        }
    }
}
