using System.Collections.Concurrent;
using System.Linq;
using System.Threading.Tasks;
using MicroGen.Internal;
using NUnit.Framework;

namespace MicroGen.Tests.Runtime;

/// <summary>
/// The pool behind the client's per-call objects (<see cref="BoundedPool{T}"/>): what goes back comes
/// out again, it never keeps more than its bound, and it stays within it under concurrent use.
/// </summary>
[TestFixture]
public sealed class BoundedPoolTests
{
    [Test]
    public void Empty_RentsNothing()
    {
        var pool = new BoundedPool<object>(maxRetained: 2);

        Assert.That(pool.TryRent(out var item), Is.False);
        Assert.That(item, Is.Null);
    }

    [Test]
    public void Returned_IsRentedAgain_InTheOrderReturned()
    {
        var pool = new BoundedPool<object>(maxRetained: 2);
        object first = new(), second = new();

        Assert.That(pool.TryReturn(first), Is.True);
        Assert.That(pool.TryReturn(second), Is.True);

        Assert.That(pool.TryRent(out var a), Is.True);
        Assert.That(pool.TryRent(out var b), Is.True);
        Assert.That(pool.TryRent(out _), Is.False);
        Assert.That(a, Is.SameAs(first));
        Assert.That(b, Is.SameAs(second));
    }

    [Test]
    public void Full_RefusesMore_AndTakesAgainOnceRentedFrom()
    {
        var pool = new BoundedPool<object>(maxRetained: 2);
        Assert.That(pool.TryReturn(new object()), Is.True);
        Assert.That(pool.TryReturn(new object()), Is.True);

        var extra = new object();
        Assert.That(pool.TryReturn(extra), Is.False, "a third object went into a pool of two");

        Assert.That(pool.TryRent(out _), Is.True);
        Assert.That(pool.TryReturn(extra), Is.True);
    }

    [Test]
    public async Task ConcurrentRentsAndReturns_NeverKeepMoreThanTheBound_NorLoseOrDuplicateAnObject()
    {
        const int bound = 8;
        var pool = new BoundedPool<object>(maxRetained: bound);
        var rentedTwice = 0;
        var outstanding = new ConcurrentDictionary<object, bool>();
        var workers = Enumerable.Range(0, 4).Select(_ => Task.Run(() =>
        {
            for (var i = 0; i < 20_000; i++)
            {
                var item = pool.TryRent(out var pooled) ? pooled : new object();
                if (!outstanding.TryAdd(item, true))
                {
                    System.Threading.Interlocked.Increment(ref rentedTwice);
                }
                System.Threading.Thread.SpinWait(20); // holds it a moment, so a duplicate would overlap
                outstanding.TryRemove(item, out bool _);
                pool.TryReturn(item);
            }
        })).ToArray();
        await Task.WhenAll(workers);

        Assert.That(rentedTwice, Is.Zero, "one object was handed to two renters at once");
        var kept = 0;
        while (pool.TryRent(out _))
        {
            kept++;
        }
        Assert.That(kept, Is.InRange(1, bound));
    }
}
