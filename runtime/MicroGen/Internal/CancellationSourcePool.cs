using System.Threading;

namespace MicroGen.Internal;

/// <summary>
/// Reuses <see cref="CancellationTokenSource"/>s for per-call deadlines, so that a call costs no
/// new source, timer, registration table or registration nodes: a returned source keeps its
/// <c>TimerQueueTimer</c> (re-armed by <see cref="CancellationTokenSource.CancelAfter(System.TimeSpan)"/>)
/// and its registration table with the free nodes in it.
/// </summary>
/// <remarks>
/// <see cref="CancellationTokenSource.TryReset"/> is the runtime's own contract for this: it succeeds
/// only for a source that was never cancelled and whose timer it could stop, and it removes every
/// registration still on it, so a late <c>Dispose</c> of an old registration is a no-op (ids are
/// never reused) and no old callback can fire for the next call. A source that fired is disposed,
/// never pooled.
/// </remarks>
internal static class CancellationSourcePool
{
    private static readonly BoundedPool<CancellationTokenSource> s_pool = new(maxRetained: 1024);

    /// <summary>A source that is not cancelled and has no timer armed.</summary>
    public static CancellationTokenSource Rent() =>
        s_pool.TryRent(out var source) ? source : new CancellationTokenSource();

    /// <summary>
    /// Gives <paramref name="source"/> back. The caller must have disposed (or unregistered) every
    /// registration it made on other tokens to cancel this source, and must not use it again.
    /// </summary>
    public static void Return(CancellationTokenSource source)
    {
        // A source that fired stays cancelled for good: TryReset refuses it, and it is disposed.
        if (!source.TryReset() || !s_pool.TryReturn(source))
        {
            source.Dispose();
        }
    }
}
