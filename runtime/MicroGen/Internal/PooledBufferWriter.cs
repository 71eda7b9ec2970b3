using System;
using System.Buffers;

namespace MicroGen.Internal;

/// <summary>
/// An <see cref="IBufferWriter{T}"/> over arrays rented from <see cref="ArrayPool{T}.Shared"/>.
/// Dispose returns the array; the written memory must not be used afterwards.
/// </summary>
/// <remarks>
/// Writers from <see cref="Rent"/> are themselves reused: every call needs a few (its body, the
/// copy a transport keeps), so each thread keeps the last one disposed. Dispose such a writer
/// exactly once, and never touch it afterwards: it may already be someone else's.
/// </remarks>
internal sealed class PooledBufferWriter : IBufferWriter<byte>, IDisposable
{
    private const int MinimumSize = 256;

    [ThreadStatic]
    private static PooledBufferWriter? t_free;

    private byte[] _buffer;
    private int _written;
    private bool _reusable;

    public PooledBufferWriter(int initialSize = MinimumSize) =>
        _buffer = ArrayPool<byte>.Shared.Rent(Math.Max(initialSize, MinimumSize));

    /// <summary>A writer with at least <paramref name="initialSize"/> bytes, reused when one is free on this thread.</summary>
    public static PooledBufferWriter Rent(int initialSize = MinimumSize)
    {
        var writer = t_free;
        if (writer is null)
        {
            writer = new PooledBufferWriter(initialSize);
        }
        else
        {
            t_free = null;
            writer._buffer = ArrayPool<byte>.Shared.Rent(Math.Max(initialSize, MinimumSize));
        }
        writer._reusable = true;
        return writer;
    }

    public int WrittenCount => _written;

    public ReadOnlyMemory<byte> WrittenMemory => _buffer.AsMemory(0, _written);

    public ReadOnlySpan<byte> WrittenSpan => _buffer.AsSpan(0, _written);

    public ReadOnlySequence<byte> WrittenSequence => new(_buffer, 0, _written);

    public void Advance(int count)
    {
        if ((uint)count > (uint)(_buffer.Length - _written))
        {
            throw new ArgumentOutOfRangeException(nameof(count));
        }
        _written += count;
    }

    public Memory<byte> GetMemory(int sizeHint = 0)
    {
        Ensure(sizeHint);
        return _buffer.AsMemory(_written);
    }

    public Span<byte> GetSpan(int sizeHint = 0)
    {
        Ensure(sizeHint);
        return _buffer.AsSpan(_written);
    }

    public void Reset() => _written = 0;

    /// <summary>
    /// Empties the writer for its owner's next use; a buffer grown beyond <paramref name="maxRetained"/>
    /// bytes goes back to the pool, so one large message does not pin memory in a pooled owner.
    /// </summary>
    public void Clear(int maxRetained)
    {
        _written = 0;
        if (_buffer.Length > maxRetained)
        {
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = ArrayPool<byte>.Shared.Rent(MinimumSize);
        }
    }

    /// <summary>Replaces the content with a copy of <paramref name="data"/>, growing the buffer when needed.</summary>
    public void CopyFrom(in ReadOnlySequence<byte> data)
    {
        var length = checked((int)data.Length);
        _written = 0;
        Ensure(length);
        data.CopyTo(_buffer);
        _written = length;
    }

    public void Dispose()
    {
        var buffer = _buffer;
        _buffer = Array.Empty<byte>();
        _written = 0;
        if (buffer.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(buffer);
            if (_reusable)
            {
                _reusable = false;
                t_free ??= this;
            }
        }
    }

    /// <summary>Copies <paramref name="data"/> into a pooled writer (see <see cref="Rent"/>).</summary>
    public static PooledBufferWriter CopyOf(in ReadOnlySequence<byte> data)
    {
        var copy = Rent(checked((int)data.Length));
        data.CopyTo(copy._buffer);
        copy._written = (int)data.Length;
        return copy;
    }

    private void Ensure(int sizeHint)
    {
        if (_buffer.Length == 0)
        {
            throw new ObjectDisposedException(nameof(PooledBufferWriter));
        }
        sizeHint = Math.Max(sizeHint, 1);
        if (_buffer.Length - _written >= sizeHint)
        {
            return;
        }
        var grown = ArrayPool<byte>.Shared.Rent(Math.Max(_buffer.Length * 2, _written + sizeHint));
        _buffer.AsSpan(0, _written).CopyTo(grown);
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = grown;
    }
}
