using System;
using System.Runtime.CompilerServices;
using System.Threading;
using System.Threading.Tasks;
using System.Threading.Tasks.Sources;

namespace MicroGen.Internal;

/// <summary>
/// The async method builder of <see cref="Client.MicroClient.CallAsync{TRequest, TResponse}"/>: like
/// <see cref="PoolingAsyncValueTaskMethodBuilder{TResult}"/>, its state machine lives in a pooled box
/// that is the returned <see cref="ValueTask{TResult}"/>'s source, so a call allocates no box. Being
/// MicroGen's own code, it is precompiled by crossgen2, where CoreLib's builder's instantiations over
/// the call's state machine (about fifteen methods) were compiled by the JIT before a process's first
/// reply. The box is rented in <see cref="Start"/>, as a call always waits for its reply; see
/// <see cref="LoopTaskMethodBuilder"/>'s file for why that matters to crossgen2.
/// </summary>
/// <typeparam name="TResult">The call's result.</typeparam>
internal struct CallMethodBuilder<TResult>
{
    private CallStateMachineBox<TResult>? _box;

    /// <summary>Called by the compiler: a new builder.</summary>
    public static CallMethodBuilder<TResult> Create() => default;

    /// <summary>The method's result, backed by the box until it is awaited once.</summary>
    public ValueTask<TResult> Task
    {
        get
        {
            var box = _box!;
            return new ValueTask<TResult>(box, box.Version);
        }
    }

    /// <summary>Moves the state machine into a pooled box and runs the method's synchronous part there.</summary>
    public void Start<TStateMachine>(ref TStateMachine stateMachine) where TStateMachine : IAsyncStateMachine
    {
        var box = CallStateMachineBox<TResult, TStateMachine>.Rent();
        // Set before the copy, so that the builder inside the box has it too.
        _box = box;
        box.StateMachine = stateMachine;
        box.Start();
    }

    /// <summary>Unused: the state machine is boxed by <see cref="Start"/>.</summary>
    public void SetStateMachine(IAsyncStateMachine stateMachine)
    {
    }

    /// <summary>The method returned <paramref name="result"/>.</summary>
    public void SetResult(TResult result) => _box!.SetResult(result);

    /// <summary>The method threw.</summary>
    public void SetException(Exception exception) => _box!.SetException(exception);

    /// <summary>Suspends the method until <paramref name="awaiter"/> completes.</summary>
    public void AwaitOnCompleted<TAwaiter, TStateMachine>(ref TAwaiter awaiter, ref TStateMachine stateMachine)
        where TAwaiter : INotifyCompletion
        where TStateMachine : IAsyncStateMachine =>
        awaiter.OnCompleted(_box!.MoveNextAction);

    /// <summary>Suspends the method until <paramref name="awaiter"/> completes.</summary>
    public void AwaitUnsafeOnCompleted<TAwaiter, TStateMachine>(ref TAwaiter awaiter, ref TStateMachine stateMachine)
        where TAwaiter : ICriticalNotifyCompletion
        where TStateMachine : IAsyncStateMachine =>
        awaiter.UnsafeOnCompleted(_box!.MoveNextAction);
}

/// <summary>A pooled call's state machine and result, the source of the call's ValueTask.</summary>
/// <remarks>
/// The subclass hands its step and return over as delegates, not as overrides: crossgen2 compiles the
/// methods of the subclass's instantiation over a call's state machine only where its image's code
/// reaches them directly (a delegate's creation does; a virtual call from here does not), so overrides
/// were compiled by the JIT on a process's first call.
/// </remarks>
internal abstract class CallStateMachineBox<TResult> : IValueTaskSource<TResult>
{
    private static readonly ContextCallback s_step = static box => ((CallStateMachineBox<TResult>)box!)._step();

    private Action _step = null!;
    private Action _return = null!;

    private ManualResetValueTaskSourceCore<TResult> _core;

    // The caller's context, captured when the call starts; every step runs in it, so the caller's
    // async-local values reach the call and the call's own changes never reach the caller.
    private ExecutionContext? _context;

    protected CallStateMachineBox()
    {
        MoveNextAction = MoveNext;
    }

    /// <summary>Called once by the subclass's constructor.</summary>
    /// <param name="step">Runs the boxed state machine's next step.</param>
    /// <param name="return">Clears the state machine and puts the box back in its pool.</param>
    protected void Bind(Action step, Action @return)
    {
        _step = step;
        _return = @return;
    }

    /// <summary>Runs the call's next step.</summary>
    public Action MoveNextAction { get; }

    /// <summary>The token of the current use, for the ValueTask.</summary>
    public short Version => _core.Version;

    /// <summary>Captures the caller's context and runs the first step.</summary>
    public void Start()
    {
        _context = ExecutionContext.Capture();
        MoveNext();
    }

    public void SetResult(TResult result) => _core.SetResult(result);

    public void SetException(Exception exception) => _core.SetException(exception);

    /// <inheritdoc/>
    public TResult GetResult(short token)
    {
        // Checked before the try: a misused ValueTask (awaited twice, or read before it completed)
        // must fail without resetting the box, which may already carry another call.
        if (token != _core.Version || _core.GetStatus(token) == ValueTaskSourceStatus.Pending)
        {
            throw new InvalidOperationException("A MicroGen call's ValueTask was read twice or before it completed: await it once, or call AsTask() first.");
        }
        try
        {
            return _core.GetResult(token);
        }
        finally
        {
            // The one await of the ValueTask is over: the box goes back to the pool.
            _core.Reset();
            _context = null;
            _return();
        }
    }

    /// <inheritdoc/>
    public ValueTaskSourceStatus GetStatus(short token) => _core.GetStatus(token);

    /// <inheritdoc/>
    public void OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _core.OnCompleted(continuation, state, token, flags);

    private void MoveNext()
    {
        if (_context is null)
        {
            _step();
        }
        else
        {
            ExecutionContext.Run(_context, s_step, this);
        }
    }
}

internal sealed class CallStateMachineBox<TResult, TStateMachine> : CallStateMachineBox<TResult> where TStateMachine : IAsyncStateMachine
{
    // One box per thread, then one per processor, as CoreLib's pooling builder keeps them: a caller
    // usually starts its next call on the thread that took the last result.
    [ThreadStatic]
    private static CallStateMachineBox<TResult, TStateMachine>? t_cached;

    // Created on first use, not by a static constructor, which the JIT would compile on a first call.
    private static CallStateMachineBox<TResult, TStateMachine>?[]? s_perCore;

    public TStateMachine StateMachine = default!;

    private CallStateMachineBox()
    {
        Bind(Step, Return);
    }

    private static CallStateMachineBox<TResult, TStateMachine>?[] PerCore =>
        Volatile.Read(ref s_perCore) ?? CreatePerCore();

    public static CallStateMachineBox<TResult, TStateMachine> Rent()
    {
        var box = t_cached;
        if (box is not null)
        {
            t_cached = null;
            return box;
        }
        var perCore = PerCore;
        return Interlocked.Exchange(ref perCore[Thread.GetCurrentProcessorId() % perCore.Length], null) ?? new();
    }

    private static CallStateMachineBox<TResult, TStateMachine>?[] CreatePerCore()
    {
        Interlocked.CompareExchange(ref s_perCore, new CallStateMachineBox<TResult, TStateMachine>?[Environment.ProcessorCount], null);
        return s_perCore;
    }

    private void Step() => StateMachine.MoveNext();

    private void Return()
    {
        StateMachine = default!;
        if (t_cached is null)
        {
            t_cached = this;
        }
        else
        {
            var perCore = PerCore;
            Volatile.Write(ref perCore[Thread.GetCurrentProcessorId() % perCore.Length], this);
        }
    }
}
