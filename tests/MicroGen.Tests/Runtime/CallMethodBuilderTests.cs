using System;
using System.Linq;
using System.Runtime.CompilerServices;
using System.Threading;
using System.Threading.Tasks;
using MicroGen.Internal;
using NUnit.Framework;

namespace MicroGen.Tests.Runtime;

/// <summary>
/// The pooled builder of <c>MicroClient.CallAsync</c> (<see cref="CallMethodBuilder{TResult}"/>):
/// results and exceptions reach the awaiter whichever step produced them, boxes are reused without
/// one call's state reaching another, and the caller's execution context flows in but not back.
/// </summary>
[TestFixture]
public sealed class CallMethodBuilderTests
{
    private static readonly AsyncLocal<string?> Ambient = new();

    [AsyncMethodBuilder(typeof(CallMethodBuilder<>))]
    private static async ValueTask<string> Call(string value, int delayMs, Exception? fail = null, CancellationToken token = default)
    {
        if (delayMs < 0)
        {
            return fail is null ? value : throw fail;
        }
        await Task.Delay(delayMs, token).ConfigureAwait(false);
        await Task.Yield();
        return fail is null ? value + "!" : throw fail;
    }

    [Test]
    public async Task Result_SynchronousAndAsynchronous()
    {
        var now = Call("now", -1);
        Assert.That(now.IsCompletedSuccessfully, Is.True);
        Assert.That(await now, Is.EqualTo("now"));
        Assert.That(await Call("later", 1).Bounded(), Is.EqualTo("later!"));
        Assert.That(await Call("as task", 1).AsTask().Bounded(), Is.EqualTo("as task!"));
    }

    [Test]
    public void Exceptions_SynchronousAndAsynchronous_SameObject()
    {
        var early = new InvalidOperationException("early");
        var late = new InvalidOperationException("late");
        var failed = Call("x", -1, early);
        Assert.That(failed.IsFaulted, Is.True, "a throw before the first await faults the ValueTask; it is not thrown to the caller");
        Assert.That(Assert.ThrowsAsync<InvalidOperationException>(async () => await failed), Is.SameAs(early));
        Assert.That(Assert.ThrowsAsync<InvalidOperationException>(async () => await Call("x", 1, late)), Is.SameAs(late));
    }

    [Test]
    public void Cancellation_CancelsTheValueTask()
    {
        using var source = new CancellationTokenSource();
        var call = WaitCancelled(source.Token).AsTask();
        Assert.That(call.IsCompleted, Is.False);
        source.Cancel();
        var e = Assert.CatchAsync<OperationCanceledException>(() => call.Bounded());
        Assert.That(call.IsCanceled, Is.True);
        Assert.That(e!.CancellationToken, Is.EqualTo(source.Token));

        [AsyncMethodBuilder(typeof(CallMethodBuilder<>))]
        static async ValueTask<int> WaitCancelled(CancellationToken token)
        {
            await Task.Delay(Timeout.Infinite, token).ConfigureAwait(false);
            return 0;
        }
    }

    [Test]
    public async Task Pool_ManyConcurrentCallsOnManyThreads_EveryResultIsItsOwn()
    {
        // Thousands of calls through a few boxes: a box returned early or shared would hand one
        // call's result to another, or fail on the ValueTask's version check.
        var workers = Enumerable.Range(0, 8).Select(w => Task.Run(async () =>
        {
            for (var i = 0; i < 500; i++)
            {
                var expected = $"{w}-{i}";
                var result = i % 3 == 0 ? await Call(expected, -1) : await Call(expected, 0);
                Assert.That(result, Is.EqualTo(i % 3 == 0 ? expected : expected + "!"));
            }
        }));
        await Task.WhenAll(workers).Bounded();
    }

    [Test]
    public async Task Pool_AwaitingTwice_IsRefusedNotServedFromAReusedBox()
    {
        var call = Call("once", -1);
        Assert.That(await call, Is.EqualTo("once"));
        var next = Call("next", 1);
        Assert.Throws<InvalidOperationException>(() => call.GetAwaiter().GetResult(), "a ValueTask awaited twice fails its version check");
        Assert.That(await next.Bounded(), Is.EqualTo("next!"));
    }

    [Test]
    public async Task ExecutionContext_FlowsInAndChangesStayInside()
    {
        Ambient.Value = "caller";
        Assert.That(await Observe().Bounded(), Is.EqualTo("caller"));
        Assert.That(Ambient.Value, Is.EqualTo("caller"));

        [AsyncMethodBuilder(typeof(CallMethodBuilder<>))]
        static async ValueTask<string?> Observe()
        {
            Ambient.Value = "inside, before the await";
            await Task.Yield();
            var seen = Ambient.Value;
            Ambient.Value = "inside";
            return seen == "inside, before the await" ? "caller" : seen;
        }
    }
}
