using System;
using System.Runtime.CompilerServices;
using System.Threading;
using System.Threading.Tasks;
using MicroGen.Internal;
using NUnit.Framework;

namespace MicroGen.Tests.Runtime;

/// <summary>
/// MicroGen's own builders for connection-lifetime async methods (<see cref="LoopTaskMethodBuilder"/>,
/// <see cref="LoopTaskMethodBuilder{TResult}"/>) behave as CoreLib's do for what those methods use:
/// results, exceptions, cancellation, every kind of awaiter, and the execution context.
/// </summary>
[TestFixture]
public sealed class LoopTaskMethodBuilderTests
{
    private static readonly AsyncLocal<string?> Ambient = new();

    [Test]
    public async Task Task_CompletesSynchronously_CompletedTask()
    {
        var task = Synchronous();
        Assert.That(task.Status, Is.EqualTo(TaskStatus.RanToCompletion));
        await task.Bounded();

        [AsyncMethodBuilder(typeof(LoopTaskMethodBuilder))]
        static async Task Synchronous() => await Task.CompletedTask;
    }

    [Test]
    public async Task Task_SuspendsOnEveryKindOfAwaiter_RunsToTheEnd()
    {
        var gate = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        var steps = 0;
        var task = Suspending();
        Assert.That(task.IsCompleted, Is.False);
        gate.SetResult(40);
        await task.Bounded();
        Assert.That(steps, Is.EqualTo(4));

        [AsyncMethodBuilder(typeof(LoopTaskMethodBuilder))]
        async Task Suspending()
        {
            steps += await gate.Task.ConfigureAwait(false) == 40 ? 1 : 0;
            await Task.Yield();
            steps++;
            await new ValueTask(Task.Delay(1)).ConfigureAwait(false);
            steps++;
            await Task.Delay(1);
            steps++;
        }
    }

    [Test]
    public async Task TaskOfT_SynchronousAndAsynchronous_Results()
    {
        Assert.That(await Compute(false).Bounded(), Is.EqualTo("now"));
        Assert.That(await Compute(true).Bounded(), Is.EqualTo("later"));

        [AsyncMethodBuilder(typeof(LoopTaskMethodBuilder<>))]
        static async Task<string> Compute(bool suspend)
        {
            if (!suspend)
            {
                return "now";
            }
            await Task.Yield();
            return "later";
        }
    }

    [Test]
    public void Exceptions_BeforeAndAfterTheFirstAwait_FaultTheTaskWithTheSameException()
    {
        var early = new InvalidOperationException("early");
        var late = new InvalidOperationException("late");

        var first = Throw(early, suspend: false);
        Assert.That(first.IsFaulted, Is.True, "an exception of the synchronous part faults the task, it is not thrown to the caller");
        Assert.That(Assert.ThrowsAsync<InvalidOperationException>(() => first.Bounded()), Is.SameAs(early));
        Assert.That(Assert.ThrowsAsync<InvalidOperationException>(() => Throw(late, suspend: true).Bounded()), Is.SameAs(late));
        Assert.That(Assert.ThrowsAsync<InvalidOperationException>(() => ThrowOfT(late).Bounded()), Is.SameAs(late));

        [AsyncMethodBuilder(typeof(LoopTaskMethodBuilder))]
        static async Task Throw(Exception exception, bool suspend)
        {
            if (suspend)
            {
                await Task.Yield();
            }
            throw exception;
        }

        [AsyncMethodBuilder(typeof(LoopTaskMethodBuilder<>))]
        static async Task<int> ThrowOfT(Exception exception)
        {
            await Task.Yield();
            throw exception;
        }
    }

    [Test]
    public async Task OperationCanceled_CancelsTheTaskWithTheToken()
    {
        using var source = new CancellationTokenSource();
        var task = WaitCancelled(source.Token);
        source.Cancel();
        var e = Assert.CatchAsync<OperationCanceledException>(() => task.Bounded());
        Assert.That(task.IsCanceled, Is.True);
        Assert.That(e!.CancellationToken, Is.EqualTo(source.Token));

        var typed = WaitCancelledOfT(new CancellationToken(true));
        Assert.CatchAsync<OperationCanceledException>(() => typed.Bounded());
        Assert.That(typed.IsCanceled, Is.True);
        await Task.CompletedTask;

        [AsyncMethodBuilder(typeof(LoopTaskMethodBuilder))]
        static async Task WaitCancelled(CancellationToken token) => await Task.Delay(Timeout.Infinite, token);

        [AsyncMethodBuilder(typeof(LoopTaskMethodBuilder<>))]
        static async Task<int> WaitCancelledOfT(CancellationToken token)
        {
            await Task.Yield();
            token.ThrowIfCancellationRequested();
            return 0;
        }
    }

    [Test]
    public async Task ExecutionContext_FlowsInAndChangesStayInside()
    {
        Ambient.Value = "caller";
        string? seenAfterAwait = null;
        await Changing().Bounded();
        Assert.That(seenAfterAwait, Is.EqualTo("caller"), "the caller's async-local values flow across the method's awaits");
        Assert.That(Ambient.Value, Is.EqualTo("caller"), "the method's own changes never reach the caller, as with CoreLib's builder");

        var synchronous = ChangingSynchronously();
        Assert.That(Ambient.Value, Is.EqualTo("caller"), "a change made by the synchronous part stays inside too");
        await synchronous.Bounded();

        [AsyncMethodBuilder(typeof(LoopTaskMethodBuilder))]
        async Task Changing()
        {
            await Task.Yield();
            seenAfterAwait = Ambient.Value;
            Ambient.Value = "inside";
        }

        [AsyncMethodBuilder(typeof(LoopTaskMethodBuilder))]
        static async Task ChangingSynchronously()
        {
            Ambient.Value = "inside";
            await Task.Yield();
        }
    }

    [Test]
    public async Task ExecutionContext_FlowSuppressedAtStart_TheMethodRunsWithoutTheCallersValues()
    {
        Ambient.Value = "caller";
        string? seen = "unset";
        Task task;
        using (ExecutionContext.SuppressFlow())
        {
            task = Suppressed();
        }
        await task.Bounded();
        Assert.That(seen, Is.Null, "a connection's loops are started with the flow suppressed and must not keep the dialling caller's context");

        [AsyncMethodBuilder(typeof(LoopTaskMethodBuilder))]
        async Task Suppressed()
        {
            await Task.Delay(1).ConfigureAwait(false);
            seen = Ambient.Value;
        }
    }
    [Test]
    public async Task PipeScheduler_ALoopReadingAPipe_WakesOnEveryFlushAndQueuesItsBoxItself()
    {
        // A loop on LoopTaskMethodBuilder reading a pipe whose reader scheduler is LoopPipeScheduler,
        // as the send loop reads the output pipe: each flush from another thread wakes it.
        var pipe = new System.IO.Pipelines.Pipe(new System.IO.Pipelines.PipeOptions(readerScheduler: LoopPipeScheduler.Instance, useSynchronizationContext: false));
        var total = 0L;
        var loop = Drain();
        for (var i = 0; i < 200; i++)
        {
            await Task.Run(async () =>
            {
                System.Buffers.BuffersExtensions.Write(pipe.Writer, new byte[10]);
                await pipe.Writer.FlushAsync();
            }).Bounded();
        }
        pipe.Writer.Complete();
        await loop.Bounded();
        Assert.That(total, Is.EqualTo(2000));

        [AsyncMethodBuilder(typeof(LoopTaskMethodBuilder))]
        async Task Drain()
        {
            while (true)
            {
                var result = await pipe.Reader.ReadAsync().ConfigureAwait(false);
                total += result.Buffer.Length;
                pipe.Reader.AdvanceTo(result.Buffer.End);
                if (result.IsCompleted)
                {
                    break;
                }
            }
            pipe.Reader.Complete();
        }
    }

    [Test]
    public async Task PipeScheduler_AStepOfABox_RunsAsTheBoxAndAnyOtherCallbackAsItself()
    {
        // A box's step reaches the scheduler as the state of the awaiter's invoking callback.
        var ranAsWorkItem = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var item = new RecordingWorkItem(ranAsWorkItem);
        var callbackCalls = 0;
        LoopPipeScheduler.Instance.Schedule(static state => ((Action)state!)(), (Action)item.Step);
        await ranAsWorkItem.Task.Bounded();
        Assert.That(item.Executed, Is.EqualTo(1), "queued as the work item, not through the callback");
        Assert.That(item.Stepped, Is.EqualTo(0));

        var ranAsCallback = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        LoopPipeScheduler.Instance.Schedule(state => { callbackCalls++; ((TaskCompletionSource)state!).SetResult(); }, ranAsCallback);
        await ranAsCallback.Task.Bounded();
        Assert.That(callbackCalls, Is.EqualTo(1));
    }

    private sealed class RecordingWorkItem(TaskCompletionSource done) : IThreadPoolWorkItem
    {
        public int Executed;
        public int Stepped;

        public void Step() => Stepped++;

        public void Execute()
        {
            Executed++;
            done.SetResult();
        }
    }
}
