using System;
using System.Buffers;
using System.Collections.Concurrent;

namespace MicroGen.Bench.Load;

/// <summary>
/// An unbounded pool of 64 KiB blocks for the floor's pipes, so that even a megabyte in flight
/// (256 callers x 4 KiB) allocates nothing once warm; <see cref="ArrayPool{T}.Shared"/> keeps too
/// few blocks of that size per core for that.
/// </summary>
internal sealed class BlockPool : MemoryPool<byte>
{
    public const int BlockSize = 64 * 1024;

    private readonly ConcurrentQueue<Block> _blocks = new();

    public static new BlockPool Shared { get; } = new();

    public override int MaxBufferSize => BlockSize;

    public override IMemoryOwner<byte> Rent(int minBufferSize = -1)
    {
        if (minBufferSize > BlockSize)
        {
            return new Block(null, new byte[minBufferSize]);
        }
        return _blocks.TryDequeue(out var block) ? block : new Block(this, new byte[BlockSize]);
    }

    protected override void Dispose(bool disposing)
    {
    }

    private sealed class Block(BlockPool? pool, byte[] array) : IMemoryOwner<byte>
    {
        public Memory<byte> Memory => array;

        public void Dispose() => pool?._blocks.Enqueue(this);
    }
}
