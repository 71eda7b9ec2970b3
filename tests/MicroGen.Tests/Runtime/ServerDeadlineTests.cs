using System;
using System.Diagnostics;
using System.Threading;
using System.Threading.Tasks;
using MicroGen.Client;
using MicroGen.Codec;
using MicroGen.Server;
using MicroGen.Transport;
using NUnit.Framework;

namespace MicroGen.Tests.Runtime;

/// <summary>
/// The server arms a call's deadline timer and its stop registration only once the handler goes
/// asynchronous. These calls go straight to the server, as a transport hands them over, so only
/// the server's own deadline (never a client's) can cancel them.
/// </summary>
[TestFixture]
public sealed class ServerDeadlineTests
{
    private static readonly Method<string, string> Wait = new("deadline", "Deadline.Wait");
    private static readonly Method<string, string> BlockThenWait = new("deadline", "Deadline.BlockThenWait");
    private static readonly Method<string, string> Spin = new("deadline", "Deadline.Spin");
    private static readonly Method<string, string> Echo = new("deadline", "Deadline.Echo");

    private MicroServer _server = null!;

    private ITransportHandler Handler => _server;

    [SetUp]
    public void SetUp()
    {
        _server = new MicroServer(new ServerOptions { Transport = new InMemoryTransport() });
        _server.AddDispatcher(new Dispatcher());
    }

    [TearDown]
    public async Task TearDown() => await _server.DisposeAsync();

    [Test]
    public async Task AsyncHandler_OutlivesItsDeadline_CancelledWithTimeout()
    {
        var watch = Stopwatch.StartNew();
        using var response = await Handler.HandleAsync(Request(Wait, TimeSpan.FromMilliseconds(100)), CancellationToken.None).Bounded();

        Assert.That(response.Error?.Code, Is.EqualTo(MicroStatusCode.Timeout), response.Error?.Detail);
        Assert.That(watch.Elapsed, Is.GreaterThanOrEqualTo(TimeSpan.FromMilliseconds(90)));
    }

    [Test]
    public async Task HandlerBlockedPastItsDeadline_ThenAwaiting_CancelledAtOnce()
    {
        var watch = Stopwatch.StartNew();
        using var response = await Handler.HandleAsync(Request(BlockThenWait, TimeSpan.FromMilliseconds(50)), CancellationToken.None).Bounded();

        // The handler waits 10 s on its token after blocking past its 50 ms deadline: the deadline
        // had passed when it went asynchronous, so the timer fires at once.
        Assert.That(response.Error?.Code, Is.EqualTo(MicroStatusCode.Timeout), response.Error?.Detail);
        Assert.That(watch.Elapsed, Is.LessThan(TimeSpan.FromSeconds(5)));
    }

    [Test]
    public async Task SynchronousHandler_CallerCancels_SeesItsToken()
    {
        using var caller = new CancellationTokenSource(TimeSpan.FromMilliseconds(50));
        using var response = await Task.Run(() => Handler.HandleAsync(Request(Spin, TimeSpan.FromSeconds(30)), caller.Token).AsTask()).Bounded();

        Assert.That(response.Error?.Code, Is.EqualTo(MicroStatusCode.Cancelled), response.Error?.Detail);
    }

    [Test]
    public async Task SynchronousCalls_ReuseTheirState_NextCallsGetAFullDeadline()
    {
        for (var i = 0; i < 200; i++)
        {
            using var quick = await Handler.HandleAsync(Request(Echo, TimeSpan.FromMilliseconds(1)), CancellationToken.None).Bounded();
            Assert.That(quick.Error, Is.Null);
        }
        // A 1 ms deadline armed by any of the calls above would have fired into a reused state by now.
        await Task.Delay(50);

        using var response = await Handler.HandleAsync(Request(Wait, TimeSpan.FromMilliseconds(300)), CancellationToken.None).Bounded();
        Assert.That(response.Error?.Code, Is.EqualTo(MicroStatusCode.Timeout));
        using var echo = await Handler.HandleAsync(Request(Echo, TimeSpan.FromSeconds(5)), CancellationToken.None).Bounded();
        Assert.That(MessagePackCodec.Instance.Deserialize<string>(echo.Body), Is.EqualTo("x"));
    }

    private static TransportRequest Request(MethodDescriptor method, TimeSpan timeout) => DirectRequests.Create(method, "x", timeout);

    private sealed class Dispatcher : IServiceDispatcher
    {
        public ServiceDescriptor Descriptor { get; } = new("deadline", "1.0.0", "Deadline", new MethodDescriptor[] { Wait, BlockThenWait, Spin, Echo });

        public async ValueTask DispatchAsync(ServerCall call)
        {
            var text = call.ReadRequest<string>();
            switch (call.Endpoint)
            {
                case "Deadline.Wait":
                    await Task.Delay(TimeSpan.FromSeconds(10), call.CancellationToken);
                    break;
                case "Deadline.BlockThenWait":
                    // Blocks synchronously until its deadline has passed, then awaits.
                    var deadline = call.Context.Deadline!.Value;
                    SpinWait.SpinUntil(() => DateTimeOffset.UtcNow > deadline);
                    await Task.Delay(TimeSpan.FromSeconds(10), call.CancellationToken);
                    break;
                case "Deadline.Spin":
                    // Never yields: only a registration made before the handler ran can reach it.
                    call.CancellationToken.WaitHandle.WaitOne(TestTimeouts.Default);
                    call.CancellationToken.ThrowIfCancellationRequested();
                    break;
            }
            call.WriteResponse(text);
        }
    }
}
