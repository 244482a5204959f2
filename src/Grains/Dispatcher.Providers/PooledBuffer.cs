using System.Buffers;

namespace Dispatcher.Providers;

/// <summary>
/// A growable byte buffer rented from <see cref="BytePool"/>: request bodies sent upstream and
/// response bodies held until they are written. Dispose returns the array; the owner must not use it after.
/// </summary>
public sealed class PooledBuffer : IBufferWriter<byte>, IDisposable
{
    private byte[] _array;
    private int _length;

    /// <summary>Rents a buffer of at least <paramref name="capacity"/> bytes.</summary>
    public PooledBuffer(int capacity = 4096) => _array = BytePool.Rent(Math.Max(capacity, 256));

    /// <summary>Bytes written so far.</summary>
    public int Length => _length;

    /// <summary>The written bytes.</summary>
    public ReadOnlyMemory<byte> WrittenMemory => _array.AsMemory(0, _length);

    /// <summary>The written bytes.</summary>
    public ReadOnlySpan<byte> WrittenSpan => _array.AsSpan(0, _length);

    /// <summary>Appends <paramref name="bytes"/>.</summary>
    public void Write(ReadOnlySpan<byte> bytes)
    {
        bytes.CopyTo(GetSpan(bytes.Length));
        _length += bytes.Length;
    }

    /// <inheritdoc />
    public void Advance(int count) => _length += count;

    /// <inheritdoc />
    public Memory<byte> GetMemory(int sizeHint = 0)
    {
        Ensure(sizeHint);
        return _array.AsMemory(_length);
    }

    /// <inheritdoc />
    public Span<byte> GetSpan(int sizeHint = 0)
    {
        Ensure(sizeHint);
        return _array.AsSpan(_length);
    }

    /// <summary>Forgets what was written, keeping the array.</summary>
    public void Clear() => _length = 0;

    /// <inheritdoc />
    public void Dispose()
    {
        var array = _array;
        _array = [];
        _length = 0;
        if (array.Length > 0)
        {
            BytePool.Return(array);
        }
    }

    private void Ensure(int sizeHint)
    {
        var needed = _length + Math.Max(sizeHint, 1);
        if (needed <= _array.Length)
        {
            return;
        }

        var bigger = BytePool.Rent(Math.Max(needed, _array.Length * 2));
        _array.AsSpan(0, _length).CopyTo(bigger);
        BytePool.Return(_array);
        _array = bigger;
    }
}
