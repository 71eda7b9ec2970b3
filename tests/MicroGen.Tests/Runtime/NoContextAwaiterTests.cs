using System;
using System.Buffers;
using System.Collections.Generic;
using System.IO.Pipelines;
using System.Runtime.CompilerServices;
using System.Threading;
using System.Threading.Tasks;
using MicroGen.Internal;
using NUnit.Framework;

namespace MicroGen.Tests.Runtime;

/// <summary>
/// MicroGen's own awaiters for the dial, the connection's loops and <c>CallAsync</c>
/// (<see cref="NoContextAwaitExtensions"/>): each behaves as <c>ConfigureAwait(false)</c> does, with
/// results, exceptions and cancellation as they are, and never posts to the caller's context.
/// </summary>
[TestFixture]
public sealed class NoContextAwaiterTests
{
    [Test]
    public async Task EveryKind_AwaitedUnderASynchronizationContext_ResumesOffIt()
    {
        var context = new CountingContext();
        var gate = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        var pipe = new Pipe(new PipeOptions(useSynchronizationContext: false));
        var results = new List<object?>();
        var run = RunUnder(context, async () =>
        {
            await new ValueTask(gate.Task).NoContext();
            results.Add(SynchronizationContext.Current);
            await ((Task)gate.Task).NoContext();
            results.Add(await new ValueTask<string>(gate.Task).NoContext());
            results.Add(await gate.Task.NoContext());
            results.Add(SynchronizationContext.Current);
            var read = await pipe.Reader.ReadAsync().NoContext();
            results.Add(read.Buffer.Length);
            pipe.Reader.AdvanceTo(read.Buffer.End);
            results.Add(SynchronizationContext.Current);
        });
        Assert.That(run.IsCompleted, Is.False, "the first await suspends");
        gate.SetResult("done");
        await pipe.Writer.WriteAsync(new byte[] { 1, 2, 3 });
        await run.Bounded();
        Assert.That(results, Is.EqualTo(new object?[] { null, "done", "done", null, 3L, null }));
        Assert.That(context.Posts, Is.Zero, "no continuation went through the caller's context");
    }

    [Test]
    public async Task PipeRead_SuspendedUnderASynchronizationContext_ResumesOffIt()
    {
        // The connections' pipes are built with useSynchronizationContext: false, which is what
        // lets the read awaiter use the pipe's plain awaiter: the pipe then captures no context.
        var context = new CountingContext();
        var pipe = new Pipe(new PipeOptions(useSynchronizationContext: false));
        SynchronizationContext? resumedUnder = context;
        var run = RunUnder(context, async () =>
        {
            var read = await pipe.Reader.ReadAsync().NoContext();
            resumedUnder = SynchronizationContext.Current;
            pipe.Reader.AdvanceTo(read.Buffer.End);
        });
        Assert.That(run.IsCompleted, Is.False, "the read suspends: the pipe is empty");
        await pipe.Writer.WriteAsync(new byte[] { 1 });
        await run.Bounded();
        Assert.That(resumedUnder, Is.Null);
        Assert.That(context.Posts, Is.Zero, "no continuation went through the caller's context");
    }

    [Test]
    public async Task Control_PipeThatUsesTheContext_PostsTheSuspendedRead()
    {
        // Shows that the test above can fail: such a pipe posts a plain await's continuation.
        var context = new CountingContext();
        var pipe = new Pipe(new PipeOptions(useSynchronizationContext: true));
        var run = RunUnder(context, async () => pipe.Reader.AdvanceTo((await pipe.Reader.ReadAsync()).Buffer.End));
        Assert.That(run.IsCompleted, Is.False);
        await pipe.Writer.WriteAsync(new byte[] { 1 });
        await run.Bounded();
        Assert.That(context.Posts, Is.EqualTo(1));
    }

    [Test]
    public async Task Control_TheSameAwaitsWithoutNoContext_PostToTheContext()
    {
        // Shows that the test above can fail: a plain await posts its continuation to the context.
        var context = new CountingContext();
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var run = RunUnder(context, async () => await gate.Task);
        gate.SetResult();
        await run.Bounded();
        Assert.That(context.Posts, Is.EqualTo(1));
    }

    [Test]
    public async Task Results_CompletedAndPending_AreReturned()
    {
        Assert.That(await ValueTask.FromResult(7).NoContext(), Is.EqualTo(7));
        Assert.That(await Task.FromResult("now").NoContext(), Is.EqualTo("now"));
        await ValueTask.CompletedTask.NoContext();
        await Task.CompletedTask.NoContext();
        var later = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        var awaiting = AwaitLater(later.Task);
        later.SetResult(41);
        Assert.That(await awaiting.Bounded(), Is.EqualTo(42));

        static async Task<int> AwaitLater(Task<int> task) => await new ValueTask<int>(task).NoContext() + 1;
    }

    [Test]
    public void Exceptions_CompletedAndPending_AreTheSameObjectAndNotWrapped()
    {
        var error = new InvalidOperationException("failed");
        Assert.That(Assert.ThrowsAsync<InvalidOperationException>(async () => await ValueTask.FromException(error).NoContext()), Is.SameAs(error));
        Assert.That(Assert.ThrowsAsync<InvalidOperationException>(async () => await Task.FromException<string>(error).NoContext()), Is.SameAs(error));
        Assert.That(Assert.ThrowsAsync<InvalidOperationException>(async () => await ValueTask.FromException<int>(error).NoContext()), Is.SameAs(error));
        var later = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var awaiting = Task.Run(async () => await later.Task.NoContext());
        later.SetException(error);
        Assert.That(Assert.ThrowsAsync<InvalidOperationException>(async () => await awaiting.Bounded()), Is.SameAs(error));
    }

    [Test]
    public void Cancellation_PendingReadAndTask_ThrowOperationCanceled()
    {
        using var source = new CancellationTokenSource();
        var pipe = new Pipe(new PipeOptions(useSynchronizationContext: false));
        var read = Task.Run(async () => await pipe.Reader.ReadAsync(source.Token).NoContext());
        var delay = Task.Run(async () => await Task.Delay(Timeout.Infinite, source.Token).NoContext());
        source.Cancel();
        Assert.That(async () => await read.Bounded(), Throws.InstanceOf<OperationCanceledException>());
        Assert.That(async () => await delay.Bounded(), Throws.InstanceOf<OperationCanceledException>());
    }

    [Test]
    public async Task Builders_LoopAndCall_SuspendAndResumeOnTheAwaiters()
    {
        var pipe = new Pipe(new PipeOptions(useSynchronizationContext: false));
        var gate = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        var loop = ReadAll(pipe.Reader);
        var call = Call(gate.Task);
        Assert.That(loop.IsCompleted || call.IsCompleted, Is.False);
        await pipe.Writer.WriteAsync(new byte[] { 1, 2 });
        await pipe.Writer.WriteAsync(new byte[] { 3 });
        await pipe.Writer.CompleteAsync();
        gate.SetResult("reply");
        Assert.That(await loop.Bounded(), Is.EqualTo(3));
        Assert.That(await call.AsTask().Bounded(), Is.EqualTo("reply!"));

        [AsyncMethodBuilder(typeof(LoopTaskMethodBuilder<>))]
        static async Task<long> ReadAll(PipeReader reader)
        {
            long total = 0;
            while (true)
            {
                var result = await reader.ReadAsync().NoContext();
                total += result.Buffer.Length;
                reader.AdvanceTo(result.Buffer.End);
                if (result.IsCompleted)
                {
                    return total;
                }
            }
        }

        [AsyncMethodBuilder(typeof(CallMethodBuilder<>))]
        static async ValueTask<string> Call(Task<string> reply) => await new ValueTask<string>(reply).NoContext() + "!";
    }

    private static Task RunUnder(SynchronizationContext context, Func<Task> body)
    {
        var previous = SynchronizationContext.Current;
        SynchronizationContext.SetSynchronizationContext(context);
        try
        {
            return body();
        }
        finally
        {
            SynchronizationContext.SetSynchronizationContext(previous);
        }
    }

    /// <summary>Counts posts and runs them on the thread pool, inside itself.</summary>
    private sealed class CountingContext : SynchronizationContext
    {
        private int _posts;

        public int Posts => Volatile.Read(ref _posts);

        public override void Post(SendOrPostCallback d, object? state)
        {
            Interlocked.Increment(ref _posts);
            ThreadPool.QueueUserWorkItem(_ =>
            {
                SetSynchronizationContext(this);
                d(state);
            });
        }
    }
}
