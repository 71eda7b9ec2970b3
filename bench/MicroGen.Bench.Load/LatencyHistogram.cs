using System;
using System.Diagnostics;
using System.Numerics;

namespace MicroGen.Bench.Load;

/// <summary>
/// A log-linear latency histogram (HdrHistogram's layout with 32 sub-buckets per power of two, so
/// about 3% resolution) over nanoseconds. Recording never allocates; one per worker, merged after.
/// </summary>
internal sealed class LatencyHistogram
{
    private const int SubBits = 5;
    private const int SubCount = 1 << SubBits;
    private const int Buckets = 64 * SubCount;
    private static readonly double s_nanosPerTick = 1e9 / Stopwatch.Frequency;

    private readonly long[] _counts = new long[Buckets];

    public long Count { get; private set; }

    public void RecordTicks(long ticks) => Record((long)(ticks * s_nanosPerTick));

    public void Record(long nanos)
    {
        if (nanos < 0)
        {
            nanos = 0;
        }
        _counts[IndexOf((ulong)nanos)]++;
        Count++;
    }

    public void Add(LatencyHistogram other)
    {
        for (var i = 0; i < Buckets; i++)
        {
            _counts[i] += other._counts[i];
        }
        Count += other.Count;
    }

    /// <summary>The value at <paramref name="quantile"/> (0..1), in microseconds; 0 when empty.</summary>
    public double QuantileMicros(double quantile)
    {
        if (Count == 0)
        {
            return 0;
        }
        var rank = (long)Math.Ceiling(quantile * Count);
        rank = Math.Clamp(rank, 1, Count);
        long seen = 0;
        for (var i = 0; i < Buckets; i++)
        {
            seen += _counts[i];
            if (seen >= rank)
            {
                return MidpointOf(i) / 1000.0;
            }
        }
        return MidpointOf(Buckets - 1) / 1000.0;
    }

    private static int IndexOf(ulong value)
    {
        var bits = 64 - BitOperations.LeadingZeroCount(value);
        if (bits <= SubBits + 1)
        {
            return (int)value;
        }
        var shift = bits - SubBits - 1;
        return (shift << SubBits) + (int)(value >> shift);
    }

    private static double MidpointOf(int index)
    {
        if (index < 2 * SubCount)
        {
            return index;
        }
        var shift = (index >> SubBits) - 1;
        var top = index - (shift << SubBits);
        return (top + 0.5) * (1L << shift);
    }
}
