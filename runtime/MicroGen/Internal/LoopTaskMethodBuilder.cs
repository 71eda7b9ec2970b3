using System;
using System.IO.Pipelines;
using System.Runtime.CompilerServices;
using System.Threading;
using System.Threading.Tasks;

namespace MicroGen.Internal;

// CoreLib's async method builders are generics over the state machine whose code lives outside
// MicroGen's ReadyToRun version bubble, so each of their instantiations over a MicroGen state machine
// (about a dozen methods per async method) is compiled by the JIT when a process first runs it: on a
// process's first call, for the dial and the connection's loops. The builders below are MicroGen's
// own, so crossgen2 precompiles them. They box the state machine in Start, as those methods always
// suspend: every use of the state machine's type is then in Start, which crossgen2 compiles, and the
// await methods (generic over CoreLib's awaiters too, which it cannot compile) only hand over the box's
// delegate. Meant for methods that run once per connection or per dial, never per call: each run
// allocates a box and a TaskCompletionSource. A method woken through a pipe needs the pipe to use
// LoopPipeScheduler: the default scheduler's thread pool queues CoreLib's boxes as they are, but
// would wrap the delegate given here in a new work item every time.

/// <summary>
/// The async method builder of MicroGen's connection-lifetime <c>async Task</c> methods (the
/// receive and read loops, the preamble read); see the comment above for why. A
/// <see cref="LoopTaskMethodBuilder{TResult}"/> of <see cref="bool"/> underneath, whose task is the method's.
/// </summary>
internal struct LoopTaskMethodBuilder
{
    // Over object, not bool: TaskCompletionSource<object> shares CoreLib's precompiled code for
    // reference types, where TaskCompletionSource<bool> is compiled by the JIT before a first reply.
    private LoopTaskMethodBuilder<object?> _builder;

    /// <summary>Called by the compiler: a new builder.</summary>
    public static LoopTaskMethodBuilder Create() => default;

    /// <summary>The method's task; the compiler reads it once, after <see cref="Start"/>.</summary>
    public Task Task => _builder.Task;

    /// <summary>Moves the state machine into its box and runs the method's synchronous part there.</summary>
    public void Start<TStateMachine>(ref TStateMachine stateMachine) where TStateMachine : IAsyncStateMachine =>
        _builder.Start(ref stateMachine);

    /// <summary>Unused: the state machine is boxed by <see cref="Start"/>.</summary>
    public void SetStateMachine(IAsyncStateMachine stateMachine)
    {
    }

    /// <summary>The method returned.</summary>
    public void SetResult() => _builder.SetResult(null);

    /// <summary>The method threw.</summary>
    public void SetException(Exception exception) => _builder.SetException(exception);

    /// <summary>Suspends the method until <paramref name="awaiter"/> completes.</summary>
    public void AwaitOnCompleted<TAwaiter, TStateMachine>(ref TAwaiter awaiter, ref TStateMachine stateMachine)
        where TAwaiter : INotifyCompletion
        where TStateMachine : IAsyncStateMachine =>
        awaiter.OnCompleted(_builder.MoveNextAction!);

    /// <summary>Suspends the method until <paramref name="awaiter"/> completes.</summary>
    public void AwaitUnsafeOnCompleted<TAwaiter, TStateMachine>(ref TAwaiter awaiter, ref TStateMachine stateMachine)
        where TAwaiter : ICriticalNotifyCompletion
        where TStateMachine : IAsyncStateMachine =>
        awaiter.UnsafeOnCompleted(_builder.MoveNextAction!);
}

/// <summary>
/// The async method builder of MicroGen's once-per-dial <c>async Task&lt;TResult&gt;</c> methods; see
/// <see cref="LoopTaskMethodBuilder"/>.
/// </summary>
internal struct LoopTaskMethodBuilder<TResult>
{
    // Runs the method's next step; set by Start. A field, not a property: the await methods are
    // compiled by the JIT (they are generic over CoreLib's awaiters), and a getter would be one more.
    internal Action? MoveNextAction;
    private TaskCompletionSource<TResult>? _completion;

    /// <summary>Called by the compiler: a new builder.</summary>
    public static LoopTaskMethodBuilder<TResult> Create() => default;

    /// <summary>The method's task; the compiler reads it once, after <see cref="Start"/>.</summary>
    public Task<TResult> Task => _completion!.Task;

    /// <summary>Moves the state machine into its box and runs the method's synchronous part there.</summary>
    public void Start<TStateMachine>(ref TStateMachine stateMachine) where TStateMachine : IAsyncStateMachine
    {
        _completion = new TaskCompletionSource<TResult>();
        var box = new LoopStateMachineBox<TStateMachine>();
        // Both fields are set before the copy, so that the builder inside the box has them too.
        MoveNextAction = box.MoveNextAction;
        box.StateMachine = stateMachine;
        MoveNextAction();
    }

    /// <summary>Unused: the state machine is boxed by <see cref="Start"/>.</summary>
    public void SetStateMachine(IAsyncStateMachine stateMachine)
    {
    }

    /// <summary>The method returned <paramref name="result"/>.</summary>
    public void SetResult(TResult result) => _completion!.TrySetResult(result);

    /// <summary>The method threw.</summary>
    public void SetException(Exception exception)
    {
        if (exception is OperationCanceledException oce)
        {
            _completion!.TrySetCanceled(oce.CancellationToken);
        }
        else
        {
            _completion!.TrySetException(exception);
        }
    }

    /// <summary>Suspends the method until <paramref name="awaiter"/> completes.</summary>
    public void AwaitOnCompleted<TAwaiter, TStateMachine>(ref TAwaiter awaiter, ref TStateMachine stateMachine)
        where TAwaiter : INotifyCompletion
        where TStateMachine : IAsyncStateMachine =>
        awaiter.OnCompleted(MoveNextAction!);

    /// <summary>Suspends the method until <paramref name="awaiter"/> completes.</summary>
    public void AwaitUnsafeOnCompleted<TAwaiter, TStateMachine>(ref TAwaiter awaiter, ref TStateMachine stateMachine)
        where TAwaiter : ICriticalNotifyCompletion
        where TStateMachine : IAsyncStateMachine =>
        awaiter.UnsafeOnCompleted(MoveNextAction!);
}

/// <summary>
/// The heap home of a running method's state machine, for the builders above. A thread-pool work
/// item too, running the next step, so that <see cref="LoopPipeScheduler"/> can queue it as it is.
/// </summary>
internal sealed class LoopStateMachineBox<TStateMachine> : IThreadPoolWorkItem where TStateMachine : IAsyncStateMachine
{
    private static readonly ContextCallback s_moveNext = static box => ((LoopStateMachineBox<TStateMachine>)box!).StateMachine.MoveNext();

    // Captured when the method starts; every step runs in it, the first included, so async-local
    // changes a step makes stay inside the method, as with CoreLib's builders. Null when the flow is
    // suppressed (the connection's loops are started so): then a step runs on the thread's context.
    private readonly ExecutionContext? _context = ExecutionContext.Capture();

    public LoopStateMachineBox()
    {
        MoveNextAction = MoveNext;
    }

    /// <summary>The boxed state machine, copied in once by the builder's <c>Start</c>.</summary>
    public TStateMachine StateMachine = default!;

    /// <summary>Runs the method's next step.</summary>
    public Action MoveNextAction { get; }

    void IThreadPoolWorkItem.Execute() => MoveNext();

    private void MoveNext()
    {
        if (_context is null)
        {
            StateMachine.MoveNext();
        }
        else
        {
            ExecutionContext.Run(_context, s_moveNext, this);
        }
    }
}

/// <summary>
/// The reader scheduler of a pipe read by a method on <see cref="LoopTaskMethodBuilder"/> (the send
/// loop): like <see cref="PipeScheduler.ThreadPool"/>, but a continuation that is one of our boxes'
/// steps is queued as the box itself, without the work item the pool would wrap around a delegate.
/// </summary>
internal sealed class LoopPipeScheduler : PipeScheduler
{
    public static LoopPipeScheduler Instance { get; } = new();

    private LoopPipeScheduler()
    {
    }

    public override void Schedule(Action<object?> action, object? state)
    {
        // An awaiter given an Action passes it as the state of its own invoking callback.
        if (state is Action { Target: IThreadPoolWorkItem box })
        {
            System.Threading.ThreadPool.UnsafeQueueUserWorkItem(box, preferLocal: false);
        }
        else
        {
            System.Threading.ThreadPool.UnsafeQueueUserWorkItem(action, state, preferLocal: false);
        }
    }
}
