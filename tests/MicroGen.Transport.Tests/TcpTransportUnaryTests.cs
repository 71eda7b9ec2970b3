using System;
using System.Buffers;
using System.Linq;
using System.Text;
using System.Threading.Tasks;
using MicroGen.Transport.Tests.Infrastructure;
using NUnit.Framework;

namespace MicroGen.Transport.Tests;

public sealed class TcpTransportUnaryTests : TransportTestBase
{
    [TestCase("127.0.0.1:0")]
    [TestCase("[::1]:0")]
    public async Task Invoke_Loopback_ReturnsEchoedBody(string listenAddress)
    {
        // Arrange
        var listener = await ListenAsync(new EchoHandler(), listenAddress);
        var connection = await DialAsync(listener.Address);

        // Act
        using var response = await connection.InvokeAsync(Calls.Request("hello")).DefaultTimeout();

        // Assert
        Assert.That(listener.Address, Does.Not.EndWith(":0"));
        Assert.That(listener.Address, Does.StartWith(listenAddress[..^2]));
        Assert.That(response.Error, Is.Null);
        Assert.That(response.ContentType, Is.EqualTo("text/plain"));
        Assert.That(response.Text(), Is.EqualTo("hello"));
        Assert.That(connection.IsAvailable, Is.True);
    }

    [Test]
    public async Task Invoke_HeadersAndMetadata_ReachHandlerAndComeBack()
    {
        // Arrange
        var handler = new EchoHandler();
        var listener = await ListenAsync(handler);
        var connection = await DialAsync(listener.Address);
        var metadata = new Metadata().Set("User", "ann").Set("Trace-Id", "t-1").Set("Émoji", "✓ ünïcode");
        var request = Calls.Request("x", endpoint: "Greeter.SayHello", metadata: metadata, id: "req-42", timeout: TimeSpan.FromMilliseconds(1500.2));

        // Act
        using var response = await connection.InvokeAsync(request).DefaultTimeout();

        // Assert
        var seen = handler.Seen.Single();
        Assert.That(seen.Service, Is.EqualTo("echo"));
        Assert.That(seen.Endpoint, Is.EqualTo("Greeter.SayHello"));
        Assert.That(seen.ContentType, Is.EqualTo("text/plain"));
        Assert.That(seen.Id, Is.EqualTo("req-42"));
        Assert.That(seen.Timeout, Is.EqualTo(TimeSpan.FromMilliseconds(1501)), "Micro-Timeout is whole milliseconds, rounded up");
        Assert.That(seen.Metadata!.ToDictionary(p => p.Key, p => p.Value), Is.EquivalentTo(metadata.ToDictionary(p => p.Key, p => p.Value)));
        Assert.That(response.Metadata!.Get("user"), Is.EqualTo("ann"), "response metadata, case-insensitive");
        Assert.That(response.Metadata!.Get("Émoji"), Is.EqualTo("✓ ünïcode"));
    }

    [Test]
    public async Task Invoke_HandlerReturnsMicroError_ErrorAndMetadataArriveIntact()
    {
        // Arrange
        var error = new MicroError("greeter", 409, "name \"ann\" is taken", "Conflict");
        var listener = await ListenAsync(new ErrorHandler(error));
        var connection = await DialAsync(listener.Address);

        // Act
        using var response = await connection.InvokeAsync(Calls.Request("x")).DefaultTimeout();

        // Assert
        Assert.That(response.Error, Is.EqualTo(error));
        Assert.That(response.Metadata!.Get("Retry-After"), Is.EqualTo("5"));
        Assert.That(response.Body.IsEmpty, Is.True);
    }

    [Test]
    public async Task Invoke_HandlerThrows_Returns500WithoutExceptionText()
    {
        // Arrange
        var listener = await ListenAsync(new ThrowingHandler());
        var connection = await DialAsync(listener.Address);

        // Act
        using var response = await connection.InvokeAsync(Calls.Request("x")).DefaultTimeout();

        // Assert
        Assert.That(response.Error!.Code, Is.EqualTo(500));
        Assert.That(response.Error.Detail, Does.Not.Contain("secret"));
        await Logs.WaitForAsync("HandlerFailed");
    }

    [Test]
    public async Task Invoke_HandlerCancelsItself_Returns499WithoutExceptionText()
    {
        // Arrange
        var listener = await ListenAsync(new GivingUpHandler());
        var connection = await DialAsync(listener.Address);

        // Act
        using var response = await connection.InvokeAsync(Calls.Request("x")).DefaultTimeout();

        // Assert: the same answer a stream gets for its handler's own cancellation (§8.2), not a 500.
        Assert.That(response.Error!.Code, Is.EqualTo(MicroStatusCode.Cancelled));
        Assert.That(response.Error.Detail, Is.EqualTo("the handler cancelled the call"));
        Assert.That(connection.IsAvailable, Is.True);
    }

    [Test]
    public async Task Invoke_ThousandConcurrentCallsOnOneConnection_EachGetsItsOwnReply()
    {
        // Arrange
        var listener = await ListenAsync(new EchoHandler());
        var connection = await DialAsync(listener.Address);

        // Act
        var calls = Enumerable.Range(0, 1000).Select(async i =>
        {
            await Task.Yield();
            using var response = await connection.InvokeAsync(Calls.Request($"call-{i}-" + new string('x', i % 97)));
            return (i, text: response.Text());
        }).ToArray();
        var results = await Task.WhenAll(calls).DefaultTimeout();

        // Assert
        foreach (var (i, text) in results)
        {
            Assert.That(text, Is.EqualTo($"call-{i}-" + new string('x', i % 97)));
        }
        Assert.That(Logs.Entries.Count(e => e.EventId.Name == "ConnectionAccepted"), Is.EqualTo(1), "all calls shared one connection");
    }

    [Test]
    public async Task Invoke_LargeBody_RoundTripsAcrossManyPipeSegments()
    {
        // Arrange
        var listener = await ListenAsync(new EchoHandler());
        var connection = await DialAsync(listener.Address);
        var body = new byte[3 * 1024 * 1024 + 17];
        new Random(7).NextBytes(body);
        var request = Calls.Request("") with { Body = new ReadOnlySequence<byte>(body) };

        // Act
        using var response = await connection.InvokeAsync(request).DefaultTimeout();

        // Assert
        Assert.That(response.Body.ToArray().SequenceEqual(body), Is.True);
    }

    [Test]
    public async Task Invoke_BodyOfMoreBlocksThanOneSendGathers_RoundTripsIntact()
    {
        // Arrange: 9 MiB is 144 of the output pipe's 64 KiB blocks in one flush, more than one
        // gathering send takes (64), so the send loop sends it in three.
        var listener = await ListenAsync(new EchoHandler(), configure: o => o.MaxFrameSize = 16 * 1024 * 1024);
        var connection = await DialAsync(listener.Address, o => o.MaxFrameSize = 16 * 1024 * 1024);
        var body = new byte[9 * 1024 * 1024 + 5];
        new Random(11).NextBytes(body);
        var request = Calls.Request("") with { Body = new ReadOnlySequence<byte>(body) };

        // Act
        using var response = await connection.InvokeAsync(request).DefaultTimeout();
        using var next = await connection.InvokeAsync(Calls.Request("after")).DefaultTimeout();

        // Assert
        Assert.That(response.Body.ToArray().SequenceEqual(body), Is.True);
        Assert.That(next.Text(), Is.EqualTo("after"));
    }

    [Test]
    public async Task Invoke_LargeHeaderBlocksBackToBack_EachCallParsesWhereverTheReadBuffersSplitIt()
    {
        // Arrange: 300 calls of 1-3 KB of metadata and 0-9 KB of body on one connection, about 2 MB
        // each way, so frames cross the reader's 64 KiB buffers at many offsets, header blocks included.
        var listener = await ListenAsync(new EchoHandler());
        var connection = await DialAsync(listener.Address);
        static Metadata MetadataOf(int i) => new Metadata()
            .Set("Call", i.ToString(System.Globalization.CultureInfo.InvariantCulture))
            .Set("Pad", new string((char)('a' + i % 26), 1000 + i * 7 % 2000));

        // Act
        var calls = Enumerable.Range(0, 300).Select(async i =>
        {
            await Task.Yield();
            var body = $"call-{i}-" + new string('x', i * 331 % 9000);
            using var response = await connection.InvokeAsync(Calls.Request(body, metadata: MetadataOf(i)));
            return (i, body, text: response.Text(), call: response.Metadata?.Get("Call"), pad: response.Metadata?.Get("Pad"));
        }).ToArray();
        var results = await Task.WhenAll(calls).DefaultTimeout();

        // Assert
        foreach (var (i, body, text, call, pad) in results)
        {
            Assert.That(text, Is.EqualTo(body));
            Assert.That(call, Is.EqualTo(i.ToString(System.Globalization.CultureInfo.InvariantCulture)));
            Assert.That(pad, Is.EqualTo(MetadataOf(i).Get("Pad")));
        }
        Assert.That(connection.IsAvailable, Is.True);
    }

    [Test]
    public async Task Invoke_RequestOverPeersFrameLimit_Fails413WithoutClosingConnection()
    {
        // Arrange
        var listener = await ListenAsync(new EchoHandler(), configure: o => o.MaxFrameSize = 64 * 1024);
        var connection = await DialAsync(listener.Address);

        // Act
        using var tooLarge = await connection.InvokeAsync(Calls.Request(new string('x', 100 * 1024))).DefaultTimeout();
        using var small = await connection.InvokeAsync(Calls.Request("still fine")).DefaultTimeout();

        // Assert
        Assert.That(tooLarge.Error!.Code, Is.EqualTo(413));
        Assert.That(small.Text(), Is.EqualTo("still fine"));
        Assert.That(connection.IsAvailable, Is.True);
    }

    [Test]
    public async Task Invoke_ResponseOverCallersFrameLimit_Fails413WithoutClosingConnection()
    {
        // Arrange
        var listener = await ListenAsync(new EchoHandler());
        var connection = await DialAsync(listener.Address, o => o.MaxFrameSize = 64 * 1024);
        var body = new string('y', 63 * 1024);

        // Act: the request fits the listener's 4 MiB; the echoed response plus metadata does not fit 64 KiB.
        using var tooLarge = await connection.InvokeAsync(Calls.Request(body, metadata: new Metadata().Set("Pad", new string('p', 2048)))).DefaultTimeout();
        using var small = await connection.InvokeAsync(Calls.Request("ok")).DefaultTimeout();

        // Assert
        Assert.That(tooLarge.Error!.Code, Is.EqualTo(413));
        Assert.That(small.Text(), Is.EqualTo("ok"));
    }

    [Test]
    public async Task Dial_ClosedPort_ThrowsNotProcessed()
    {
        // Arrange: bind a port, then free it, so nothing listens there.
        var probe = new System.Net.Sockets.Socket(System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp);
        probe.Bind(new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, 0));
        var address = probe.LocalEndPoint!.ToString()!;
        probe.Dispose();
        var transport = CreateTransport();

        // Act
        var e = Assert.ThrowsAsync<TransportException>(async () => await transport.DialAsync(address).DefaultTimeout());

        // Assert
        Assert.That(e!.NotProcessed, Is.True);
    }

    [Test]
    public void Dial_NotAnAddress_ThrowsNotProcessed()
    {
        // Arrange
        var transport = CreateTransport();

        // Act
        var e = Assert.ThrowsAsync<TransportException>(async () => await transport.DialAsync("no-port-here").DefaultTimeout());

        // Assert
        Assert.That(e!.NotProcessed, Is.True);
    }
}
