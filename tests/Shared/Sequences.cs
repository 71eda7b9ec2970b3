using System;
using System.Buffers;
using System.Linq;

namespace MicroGen.Testing;

/// <summary>
/// Multi-segment <see cref="ReadOnlySequence{T}"/>s, as a pipe hands out bytes that arrived in
/// several reads. Compiled into the tests and the micro benchmarks that need one.
/// </summary>
internal static class Sequences
{
    /// <summary>The bytes as one segment per range between <paramref name="splits"/> (offsets; out-of-range ones are ignored).</summary>
    public static ReadOnlySequence<byte> Split(byte[] bytes, params int[] splits)
    {
        var bounds = splits.Where(s => s > 0 && s < bytes.Length).Distinct().Order().Append(bytes.Length).ToArray();
        var first = new Segment(bytes.AsMemory(0, bounds[0]), 0);
        var last = first;
        for (var i = 1; i < bounds.Length; i++)
        {
            last = last.Append(bytes.AsMemory(bounds[i - 1], bounds[i] - bounds[i - 1]));
        }
        return new ReadOnlySequence<byte>(first, 0, last, last.Memory.Length);
    }

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(ReadOnlyMemory<byte> memory, long runningIndex)
        {
            Memory = memory;
            RunningIndex = runningIndex;
        }

        public Segment Append(ReadOnlyMemory<byte> memory)
        {
            var next = new Segment(memory, RunningIndex + Memory.Length);
            Next = next;
            return next;
        }
    }
}
