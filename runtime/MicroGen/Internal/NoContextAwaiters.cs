using System;
using System.IO.Pipelines;
using System.Runtime.CompilerServices;
using System.Threading.Tasks;

namespace MicroGen.Internal;

// An await hands its awaiter's type to the builder's AwaitUnsafeOnCompleted<TAwaiter, TStateMachine>.
// Over CoreLib's awaiters (ConfigureAwait(false)'s structs) no ReadyToRun image of MicroGen's can hold
// that method, since the awaiter's code lives outside MicroGen's version bubble: the JIT compiles one
// per await site's awaiter and state machine on a process's first call. The awaiters below are
// MicroGen's own, so crossgen2 precompiles those methods; they behave as ConfigureAwait(false) and
// call CoreLib's awaiter only to suspend. Used on a first call's path: the dial, the connection's
// loops and MicroClient.CallAsync. Generic ones only over reference types and primitives, which an
// image can hold; Pipelines' results have their own non-generic ones.

/// <summary><c>ConfigureAwait(false)</c> through awaiters that MicroGen's ReadyToRun image can precompile.</summary>
internal static class NoContextAwaitExtensions
{
    /// <summary>Awaits <paramref name="task"/> without capturing a context.</summary>
    public static NoContextAwaiter NoContext(this ValueTask task) => new(task);

    /// <summary>Awaits <paramref name="task"/> without capturing a context.</summary>
    public static NoContextAwaiter NoContext(this Task task) => new(new ValueTask(task));

    /// <summary>Awaits <paramref name="task"/> without capturing a context.</summary>
    public static NoContextAwaiter<T> NoContext<T>(this ValueTask<T> task) => new(task);

    /// <summary>Awaits <paramref name="task"/> without capturing a context.</summary>
    public static NoContextAwaiter<T> NoContext<T>(this Task<T> task) where T : class => new(new ValueTask<T>(task));

    /// <summary>Awaits <paramref name="read"/> without capturing a context.</summary>
    public static NoContextReadAwaiter NoContext(this ValueTask<ReadResult> read) => new(read);
}

/// <summary>Awaits a <see cref="ValueTask"/> as <c>ConfigureAwait(false)</c> does.</summary>
internal readonly struct NoContextAwaiter(ValueTask task) : ICriticalNotifyCompletion
{
    private readonly ValueTask _task = task;

    public NoContextAwaiter GetAwaiter() => this;

    public bool IsCompleted => _task.IsCompleted;

    public void GetResult() => _task.ConfigureAwait(false).GetAwaiter().GetResult();

    public void OnCompleted(Action continuation) => _task.ConfigureAwait(false).GetAwaiter().OnCompleted(continuation);

    public void UnsafeOnCompleted(Action continuation) => _task.ConfigureAwait(false).GetAwaiter().UnsafeOnCompleted(continuation);
}

/// <summary>Awaits a <see cref="ValueTask{TResult}"/> as <c>ConfigureAwait(false)</c> does.</summary>
internal readonly struct NoContextAwaiter<T>(ValueTask<T> task) : ICriticalNotifyCompletion
{
    private readonly ValueTask<T> _task = task;

    public NoContextAwaiter<T> GetAwaiter() => this;

    public bool IsCompleted => _task.IsCompleted;

    public T GetResult() => _task.Result;

    public void OnCompleted(Action continuation) => _task.ConfigureAwait(false).GetAwaiter().OnCompleted(continuation);

    public void UnsafeOnCompleted(Action continuation) => _task.ConfigureAwait(false).GetAwaiter().UnsafeOnCompleted(continuation);
}

/// <summary>
/// Awaits a read of a connection's pipe as <c>ConfigureAwait(false)</c> does (non-generic: see the
/// comment above). Through the read's plain awaiter: a <see cref="Pipe"/> built with
/// <c>useSynchronizationContext: false</c>, as every pipe of MicroGen's is, captures no context
/// for it, while the configured awaiter would add its four methods to what the JIT compiles on a
/// process's first call.
/// </summary>
internal readonly struct NoContextReadAwaiter(ValueTask<ReadResult> read) : ICriticalNotifyCompletion
{
    private readonly ValueTask<ReadResult> _read = read;

    public NoContextReadAwaiter GetAwaiter() => this;

    public bool IsCompleted => _read.IsCompleted;

    public ReadResult GetResult() => _read.Result;

    public void OnCompleted(Action continuation) => _read.GetAwaiter().OnCompleted(continuation);

    public void UnsafeOnCompleted(Action continuation) => _read.GetAwaiter().UnsafeOnCompleted(continuation);
}
