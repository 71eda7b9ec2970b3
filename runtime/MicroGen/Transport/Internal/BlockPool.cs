using System;
using System.Buffers;
using System.Collections.Concurrent;
using System.Threading;

namespace MicroGen.Transport.Internal;

/// <summary>
/// The TCP connections' pipe memory: 64 KiB blocks kept for reuse, as Kestrel keeps its own block
/// pool. Large blocks let one receive or send carry many frames (a 16 KiB buffer held three 4 KiB
/// requests), and a pool of its own keeps a megabyte in flight allocation-free, where
/// <see cref="ArrayPool{T}.Shared"/> keeps only a few arrays of this size per core.
/// </summary>
internal sealed class BlockPool : MemoryPool<byte>
{
    public const int BlockSize = 64 * 1024;

    // 16 MiB retained at most: what 256 calls of 4 KiB in flight on a few connections need.
    private const int MaxRetained = 256;

    private readonly ConcurrentQueue<Block> _free = new();
    private int _freeCount;

    /// <summary>The pool every TCP connection of the process shares.</summary>
    public static new BlockPool Shared { get; } = new();

    public override int MaxBufferSize => BlockSize;

    public override IMemoryOwner<byte> Rent(int minBufferSize = -1)
    {
        if (minBufferSize > BlockSize)
        {
            // Pipes only ask beyond MaxBufferSize for a single oversized write: not worth keeping.
            return new Block(null, GC.AllocateUninitializedArray<byte>(minBufferSize));
        }
        if (_free.TryDequeue(out var block))
        {
            Interlocked.Decrement(ref _freeCount);
            return block;
        }
        return new Block(this, GC.AllocateUninitializedArray<byte>(BlockSize, pinned: true));
    }

    protected override void Dispose(bool disposing)
    {
    }

    private void Return(Block block)
    {
        if (Interlocked.Increment(ref _freeCount) <= MaxRetained)
        {
            _free.Enqueue(block);
        }
        else
        {
            Interlocked.Decrement(ref _freeCount);
        }
    }

    private sealed class Block(BlockPool? pool, byte[] array) : IMemoryOwner<byte>
    {
        public Memory<byte> Memory => array;

        public void Dispose() => pool?.Return(this);
    }
}
