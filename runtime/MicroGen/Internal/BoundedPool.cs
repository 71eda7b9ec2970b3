using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using System.Threading;

namespace MicroGen.Internal;

/// <summary>
/// A thread-safe pool that keeps at most a fixed number of objects for reuse and never blocks.
/// The client's per-call objects use it rather than <c>Microsoft.Extensions.ObjectPool</c>, whose
/// assembly a client would otherwise load on its way to the first reply.
/// </summary>
internal sealed class BoundedPool<T>(int maxRetained) where T : class
{
    private readonly ConcurrentQueue<T> _items = new();
    private int _count;

    /// <summary>Takes a pooled object, or returns false when the pool is empty.</summary>
    public bool TryRent([MaybeNullWhen(false)] out T item)
    {
        if (_items.TryDequeue(out item))
        {
            Interlocked.Decrement(ref _count);
            return true;
        }
        return false;
    }

    /// <summary>Keeps <paramref name="item"/> for reuse, or returns false when the pool is full (the caller drops or disposes it).</summary>
    public bool TryReturn(T item)
    {
        if (Interlocked.Increment(ref _count) <= maxRetained)
        {
            _items.Enqueue(item);
            return true;
        }
        Interlocked.Decrement(ref _count);
        return false;
    }
}
