using System;
using System.Threading;
using System.Threading.Tasks.Sources;
using MicroGen.Internal;

namespace MicroGen.Transport.Internal;

/// <summary>
/// A client call waiting for its RESPONSE or ERROR: the pooled source of the
/// <see cref="System.Threading.Tasks.ValueTask{TResult}"/> that <c>InvokeAsync</c> returns, so a
/// call allocates no <see cref="System.Threading.Tasks.Task"/>.
/// </summary>
/// <remarks>
/// Ownership rules that make reuse safe:
/// <list type="bullet">
/// <item>Only whoever removes the call from its connection's pending table completes it (the read
/// loop on a response, the cancellation callback, the close path), so it is completed exactly once.</item>
/// <item>Two references keep it alive: the invoker's (released once the request is written and the
/// cancellation registered) and the awaiter's (released by <see cref="GetResult"/>). The last
/// release disposes the registration, waiting for a running callback, and returns it to the pool.</item>
/// </list>
/// </remarks>
internal sealed class PendingCall : IValueTaskSource<TransportResponse>, IThreadPoolWorkItem
{
    private static readonly BoundedPool<PendingCall> s_pool = new(maxRetained: 1024);

    // Continuations run inline in Execute, which the completer queues to the thread pool itself.
    private ManualResetValueTaskSourceCore<TransportResponse> _core;
    private TransportResponse? _response;
    private Exception? _exception;
    private TcpClientConnection? _deliveringTo;
    private int _references;

    public uint StreamId { get; set; }

    public TcpClientConnection? Owner { get; private set; }

    public CancellationToken CancellationToken { get; private set; }

    public CancellationTokenRegistration Registration { get; set; }

    public short Version => _core.Version;

    public static PendingCall Rent(TcpClientConnection owner, CancellationToken cancellationToken)
    {
        if (!s_pool.TryRent(out var call))
        {
            call = new PendingCall();
        }
        call.Owner = owner;
        call.CancellationToken = cancellationToken;
        call._references = 2;
        return call;
    }

    public void SetResult(TransportResponse response)
    {
        _response = response;
        Deliver();
    }

    public void SetException(Exception exception)
    {
        _exception = exception;
        Deliver();
    }

    /// <summary>
    /// Hands the result to the awaiting caller on a thread-pool worker (never on the completer's own
    /// thread, which is the read loop or a cancellation callback), counted as a delivery of its
    /// connection, so that requests the caller writes meanwhile leave in one flush (see
    /// <see cref="TcpConnection.BeginDelivery"/>).
    /// </summary>
    private void Deliver()
    {
        var owner = Owner!;
        _deliveringTo = owner;
        owner.BeginDelivery();
        ThreadPool.UnsafeQueueUserWorkItem(this, preferLocal: true);
    }

    void IThreadPoolWorkItem.Execute()
    {
        // Read everything first: once the result is set, the awaiter may recycle this call.
        var owner = _deliveringTo!;
        var exception = _exception;
        var response = _response;
        _deliveringTo = null;
        _exception = null;
        _response = null;
        try
        {
            if (exception is not null)
            {
                _core.SetException(exception);
            }
            else
            {
                _core.SetResult(response!);
            }
        }
        finally
        {
            owner.EndDelivery();
        }
    }

    /// <summary>Drops one of the two references; the last one recycles the call.</summary>
    public void Release()
    {
        if (Interlocked.Decrement(ref _references) == 0)
        {
            Recycle();
        }
    }

    /// <summary>Recycles a call that was never handed to an awaiter (its request was not written).</summary>
    public void ReleaseUnused()
    {
        _references = 0;
        Recycle();
    }

    public TransportResponse GetResult(short token)
    {
        try
        {
            return _core.GetResult(token);
        }
        finally
        {
            Release();
        }
    }

    public ValueTaskSourceStatus GetStatus(short token) => _core.GetStatus(token);

    public void OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _core.OnCompleted(continuation, state, token, flags);

    private void Recycle()
    {
        // Waits for a cancellation callback that is still running, so it never sees the next call.
        Registration.Dispose();
        Registration = default;
        Owner = null;
        CancellationToken = default;
        StreamId = 0;
        _core.Reset();
        s_pool.TryReturn(this);
    }
}
