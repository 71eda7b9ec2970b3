using System;
using System.Buffers;
using System.Threading;
using System.Threading.Tasks;
using MicroGen.Client;
using MicroGen.Codec;
using MicroGen.Internal;
using MicroGen.Server;
using MicroGen.Transport;
using NUnit.Framework;

namespace MicroGen.Tests.Runtime;

/// <summary>
/// A first call connects while it sets itself up: the client starts dialling a direct address
/// before the rest of the call's set-up (<see cref="ConnectionPool.Prime"/>) and writes the body
/// while the dial is in flight. What that must not change: one dial per address, the caller's
/// error when the body cannot be written, and a failed dial reported to whoever waits for it.
/// </summary>
[TestFixture]
public sealed class FirstCallDialTests
{
    private static readonly Method<string, string> Echo = new("first-call", "FirstCall.Echo");

    private InMemoryTransport _serverTransport = null!;
    private MicroServer _server = null!;

    [SetUp]
    public async Task SetUp()
    {
        _serverTransport = new InMemoryTransport();
        _server = new MicroServer(new ServerOptions { Name = "first-call", Transport = _serverTransport });
        _server.AddDispatcher(new EchoDispatcher());
        await _server.StartAsync().Bounded();
    }

    [TearDown]
    public async Task TearDown()
    {
        await _server.DisposeAsync();
        await _serverTransport.DisposeAsync();
    }

    [Test]
    public async Task Call_DialHeldOpen_BodyIsWrittenBeforeTheDialCompletes()
    {
        var transport = new GatedTransport(_serverTransport);
        var codec = new RecordingCodec(MessagePackCodec.Instance);
        await using var client = new MicroClient(new ClientOptions { Transport = transport, Codecs = [codec] });

        var call = client.CallAsync(Echo, "hello", new CallOptions { Address = _server.Address }).AsTask();

        await transport.DialStarted.Task.Bounded();
        await codec.FirstSerialize.Task.Bounded();
        Assert.That(call.IsCompleted, Is.False, "the call waits for its connection");
        transport.Release.SetResult();
        Assert.That(await call.Bounded(), Is.EqualTo("echo: hello"));
        Assert.That(transport.Dials, Is.EqualTo(1));
    }

    [Test]
    public async Task Call_BodyCannotBeWritten_CallerGetsTheCodecErrorAndTheDialIsKeptForTheNextCall()
    {
        var transport = new GatedTransport(_serverTransport);
        var codec = new RecordingCodec(MessagePackCodec.Instance) { FailNext = true };
        await using var client = new MicroClient(new ClientOptions { Transport = transport, Codecs = [codec] });
        var options = new CallOptions { Address = _server.Address };

        var failed = client.CallAsync(Echo, "first", options).AsTask();
        var e = Assert.ThrowsAsync<InvalidOperationException>(async () => await failed.Bounded());
        Assert.That(e!.Message, Is.EqualTo("injected: the body cannot be written"));
        Assert.That(transport.Dials, Is.EqualTo(1), "the first call started the dial before it wrote the body");

        transport.Release.SetResult();
        Assert.That(await client.CallAsync(Echo, "second", options).Bounded(), Is.EqualTo("echo: second"));
        Assert.That(transport.Dials, Is.EqualTo(1), "the next call used the dial the failed one started");
    }

    [Test]
    public async Task Prime_ThenGet_OneDialAndGetReturnsItsConnection()
    {
        var transport = new GatedTransport(_serverTransport);
        await using var pool = new ConnectionPool(transport);

        pool.Prime(_server.Address!);
        pool.Prime(_server.Address!);
        await transport.DialStarted.Task.Bounded();
        var get = pool.GetAsync(_server.Address!, CancellationToken.None).AsTask();
        Assert.That(get.IsCompleted, Is.False, "the primed dial is still held open");
        transport.Release.SetResult();
        var connection = await get.Bounded();

        Assert.That(connection.IsAvailable, Is.True);
        Assert.That(transport.Dials, Is.EqualTo(1), "priming twice and getting dial once");
        pool.Prime(_server.Address!);
        Assert.That(await pool.GetAsync(_server.Address!, CancellationToken.None).Bounded(), Is.SameAs(connection));
        Assert.That(transport.Dials, Is.EqualTo(1), "a pooled connection is not dialled again");
    }

    [Test]
    public async Task Dispose_WhilePrimedDialInFlight_TheConnectionItOpensIsClosed()
    {
        var transport = new GatedTransport(_serverTransport);
        var pool = new ConnectionPool(transport);
        pool.Prime(_server.Address!);
        await transport.DialStarted.Task.Bounded();

        await pool.DisposeAsync().Bounded();
        transport.Release.SetResult();

        var connection = await transport.Opened.Task.Bounded();
        var deadline = DateTime.UtcNow + TestTimeouts.Default;
        while (connection.IsAvailable)
        {
            Assert.That(DateTime.UtcNow, Is.LessThan(deadline), "the connection the dial opened after the dispose stayed open");
            await Task.Delay(10);
        }
    }

    [Test]
    public async Task Prime_AddressNobodyListensOn_GetReportsNotProcessedThenDialsAgain()
    {
        var transport = new GatedTransport(_serverTransport);
        transport.Release.SetResult();
        await using var pool = new ConnectionPool(transport);

        pool.Prime("inmemory-nobody");
        var e = Assert.ThrowsAsync<TransportException>(async () => await pool.GetAsync("inmemory-nobody", CancellationToken.None).Bounded());
        Assert.That(e!.NotProcessed, Is.True);
        Assert.ThrowsAsync<TransportException>(async () => await pool.GetAsync("inmemory-nobody", CancellationToken.None).Bounded());

        Assert.That(transport.Dials, Is.EqualTo(2), "a failed dial is not kept: the next get dials again");
    }

    /// <summary>The in-memory transport, with every dial held until <see cref="Release"/> completes.</summary>
    private sealed class GatedTransport(ITransport inner) : ITransport
    {
        private int _dials;

        public TaskCompletionSource DialStarted { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource Release { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource<ITransportConnection> Opened { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public int Dials => Volatile.Read(ref _dials);

        public string Name => inner.Name;

        public ValueTask<ITransportListener> ListenAsync(string address, ITransportHandler handler, CancellationToken cancellationToken = default) =>
            inner.ListenAsync(address, handler, cancellationToken);

        public async ValueTask<ITransportConnection> DialAsync(string address, CancellationToken cancellationToken = default)
        {
            Interlocked.Increment(ref _dials);
            DialStarted.TrySetResult();
            await Release.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
            var connection = await inner.DialAsync(address, cancellationToken).ConfigureAwait(false);
            Opened.TrySetResult(connection);
            return connection;
        }

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }

    /// <summary>A codec that says when it first wrote a body, and can be told to fail the next write.</summary>
    private sealed class RecordingCodec(ICodec inner) : ICodec
    {
        public TaskCompletionSource FirstSerialize { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public bool FailNext { get; set; }

        public string Name => inner.Name;

        public string ContentType => inner.ContentType;

        public bool CanCarry<T>() => inner.CanCarry<T>();

        public void Serialize<T>(IBufferWriter<byte> writer, T value)
        {
            FirstSerialize.TrySetResult();
            if (FailNext)
            {
                FailNext = false;
                throw new InvalidOperationException("injected: the body cannot be written");
            }
            inner.Serialize(writer, value);
        }

        public T Deserialize<T>(in ReadOnlySequence<byte> data) => inner.Deserialize<T>(data);
    }

    private sealed class EchoDispatcher : IServiceDispatcher
    {
        public ServiceDescriptor Descriptor { get; } = new("first-call", "1.0.0", "FirstCall", new MethodDescriptor[] { Echo });

        public ValueTask DispatchAsync(ServerCall call)
        {
            call.WriteResponse("echo: " + call.ReadRequest<string>());
            return ValueTask.CompletedTask;
        }
    }
}
