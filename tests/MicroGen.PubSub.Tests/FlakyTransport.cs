using System;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Threading;
using System.Threading.Tasks;
using MicroGen.Transport;

namespace MicroGen.PubSub.Tests;

/// <summary>
/// The real transport with transient failures on demand: it refuses the next dials (a subscriber
/// restarting: nothing reached it), or loses the next replies after the request went through (a
/// connection that dropped after the handler ran). Records when each dial and call was attempted.
/// </summary>
internal sealed class FlakyTransport(ITransport inner) : ITransport
{
    private int _refuseDials;
    private int _loseReplies;

    /// <summary>When each dial was attempted (<see cref="Stopwatch"/> timestamps), refused or not.</summary>
    public ConcurrentQueue<long> Dials { get; } = new();

    /// <summary>When each call was attempted (<see cref="Stopwatch"/> timestamps).</summary>
    public ConcurrentQueue<long> Calls { get; } = new();

    public string Name => inner.Name;

    /// <summary>Refuses the next <paramref name="count"/> dials with "connection refused", not processed.</summary>
    public void RefuseNextDials(int count) => Volatile.Write(ref _refuseDials, count);

    /// <summary>Delivers the next <paramref name="count"/> calls, then fails them as if the connection dropped before the reply.</summary>
    public void LoseNextReplies(int count) => Volatile.Write(ref _loseReplies, count);

    public ValueTask<ITransportListener> ListenAsync(string address, ITransportHandler handler, CancellationToken cancellationToken = default) =>
        inner.ListenAsync(address, handler, cancellationToken);

    public async ValueTask<ITransportConnection> DialAsync(string address, CancellationToken cancellationToken = default)
    {
        Dials.Enqueue(Stopwatch.GetTimestamp());
        if (TakeOne(ref _refuseDials))
        {
            throw new TransportException($"connection to {address} refused (test)", notProcessed: true);
        }
        return new Connection(this, await inner.DialAsync(address, cancellationToken).ConfigureAwait(false));
    }

    public ValueTask DisposeAsync() => inner.DisposeAsync();

    private static bool TakeOne(ref int budget)
    {
        while (true)
        {
            var left = Volatile.Read(ref budget);
            if (left <= 0)
            {
                return false;
            }
            if (Interlocked.CompareExchange(ref budget, left - 1, left) == left)
            {
                return true;
            }
        }
    }

    private sealed class Connection(FlakyTransport owner, ITransportConnection inner) : ITransportConnection
    {
        public string RemoteAddress => inner.RemoteAddress;

        public bool IsAvailable => inner.IsAvailable;

        public async ValueTask<TransportResponse> InvokeAsync(TransportRequest request, CancellationToken cancellationToken = default)
        {
            owner.Calls.Enqueue(Stopwatch.GetTimestamp());
            var response = await inner.InvokeAsync(request, cancellationToken).ConfigureAwait(false);
            if (TakeOne(ref owner._loseReplies))
            {
                response.Dispose();
                throw new TransportException($"the connection to {RemoteAddress} dropped before the reply (test)", notProcessed: false);
            }
            return response;
        }

        public ValueTask<ITransportStream> OpenStreamAsync(TransportRequest request, CancellationToken cancellationToken = default) =>
            inner.OpenStreamAsync(request, cancellationToken);

        public ValueTask DisposeAsync() => inner.DisposeAsync();
    }
}

/// <summary>The system clock, recording the one-shot waits asked of it (what <c>Task.Delay</c> asks for).</summary>
internal sealed class RecordingTimeProvider : TimeProvider
{
    public ConcurrentQueue<TimeSpan> Waits { get; } = new();

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        if (period == Timeout.InfiniteTimeSpan)
        {
            Waits.Enqueue(dueTime);
        }
        return System.CreateTimer(callback, state, dueTime, period);
    }
}
