using System;
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
/// The client's connection pool over TCP: once the pooled connection to an address has dropped,
/// the next call through <see cref="IClient"/> dials that address again instead of failing on the
/// dead connection. Retries are off, so a success can only come from the re-dial.
/// </summary>
[TestFixture]
public sealed class ConnectionRedialTests
{
    private static readonly Method<string, string> WhoAmI = new("redial", "Redial.WhoAmI");

    private FaultInjectingTransport _clientTransport = null!;
    private MicroClient _client = null!;

    [SetUp]
    public void SetUp()
    {
        // No faults are injected: the decorator only records the dials.
        _clientTransport = new FaultInjectingTransport(new TcpTransport());
        _client = new MicroClient(new ClientOptions { Transport = _clientTransport, Retries = 0 });
    }

    [TearDown]
    public async Task TearDown()
    {
        await _client.DisposeAsync();
        await _clientTransport.DisposeAsync();
    }

    private Task<string> CallAsync(string address) =>
        _client.CallAsync(WhoAmI, "?", new CallOptions { Address = address }).Bounded();

    /// <summary>Waits (bounded) until the client has seen its first connection drop.</summary>
    private async Task FirstConnectionDroppedAsync()
    {
        var connection = _clientTransport.Dialled[0];
        var deadline = DateTime.UtcNow + TestTimeouts.Default;
        while (connection.IsAvailable)
        {
            Assert.That(DateTime.UtcNow, Is.LessThan(deadline), "the client never noticed the connection drop");
            await Task.Delay(10);
        }
    }

    [Test]
    public async Task Call_ServerStoppedAndRestartedOnSameAddress_NextCallRedialsAndSucceeds()
    {
        await using var serverTransport = new TcpTransport();
        var first = new MicroServer(new ServerOptions { Name = "redial", Address = "127.0.0.1:0", Transport = serverTransport });
        first.AddDispatcher(new NamedDispatcher("first"));
        await first.StartAsync().Bounded();
        var address = first.Address!;
        Assert.That(await CallAsync(address), Is.EqualTo("first"));

        await first.StopAsync().Bounded();
        await FirstConnectionDroppedAsync();
        await using var second = new MicroServer(new ServerOptions { Name = "redial", Address = address, Transport = serverTransport });
        second.AddDispatcher(new NamedDispatcher("second"));
        await second.StartAsync().Bounded();

        Assert.That(await CallAsync(address), Is.EqualTo("second"));
        Assert.That(_clientTransport.Dialled, Has.Count.EqualTo(2), "one dial per connection");
        Assert.That(await CallAsync(address), Is.EqualTo("second"));
        Assert.That(_clientTransport.Dialled, Has.Count.EqualTo(2), "the new connection is pooled in turn");
        await first.DisposeAsync();
    }

    [Test]
    public async Task Call_ListenerDisposedWithoutDrain_NextCallRedialsAndSucceeds()
    {
        await using var serverTransport = new TcpTransport();
        var listener = await serverTransport.ListenAsync("127.0.0.1:0", new AnsweringHandler("first")).Bounded();
        var address = listener.Address;
        Assert.That(await CallAsync(address), Is.EqualTo("first"));

        // No drain, no registry: the server side just goes away under the pooled connection.
        await listener.DisposeAsync();
        await FirstConnectionDroppedAsync();
        await using var replacement = await serverTransport.ListenAsync(address, new AnsweringHandler("second")).Bounded();

        Assert.That(await CallAsync(address), Is.EqualTo("second"));
        Assert.That(_clientTransport.Dialled, Has.Count.EqualTo(2));
    }

    /// <summary>Answers every call with its name.</summary>
    private sealed class NamedDispatcher(string name) : IServiceDispatcher
    {
        public ServiceDescriptor Descriptor { get; } = new("redial", "1.0.0", "Redial", new MethodDescriptor[] { WhoAmI });

        public ValueTask DispatchAsync(ServerCall call)
        {
            call.WriteResponse(name);
            return ValueTask.CompletedTask;
        }
    }

    /// <summary>A bare transport handler (no server): answers every call with its name in MessagePack.</summary>
    private sealed class AnsweringHandler(string name) : ITransportHandler
    {
        public ValueTask<TransportResponse> HandleAsync(TransportRequest request, CancellationToken cancellationToken)
        {
            var body = new PooledBufferWriter();
            MessagePackCodec.Instance.Serialize(body, name);
            return ValueTask.FromResult(new TransportResponse(ContentTypes.MessagePack, body.WrittenSequence, body));
        }
    }
}
