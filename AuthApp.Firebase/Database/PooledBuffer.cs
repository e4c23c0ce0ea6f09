using System.Buffers;

namespace AuthApp.Firebase.Database;

/// <summary>
/// Bytes in an array rented from <see cref="ArrayPool{T}.Shared"/>, grown by doubling but never past the limit
/// its writer gives: a response reader holds at most what it is allowed to, and the next read reuses the array.
/// </summary>
internal sealed class PooledBuffer(int initialCapacity) : IDisposable
{
    private byte[] _array = ArrayPool<byte>.Shared.Rent(initialCapacity);

    public int Length { get; private set; }

    public ReadOnlySpan<byte> WrittenSpan => _array.AsSpan(0, Length);

    /// <summary>Free space after the written bytes, grown if there is none; empty only when <see cref="Length"/> has reached <paramref name="limit"/>.</summary>
    public Memory<byte> GetFreeMemory(int limit)
    {
        if (Length == _array.Length && Length < limit)
        {
            Grow(Math.Min(Math.Max(Length * 2, 4096), limit));
        }

        return _array.AsMemory(Length, Math.Min(_array.Length, limit) - Length);
    }

    public void Advance(int count) => Length += count;

    /// <summary>Appends <paramref name="bytes"/>; the caller has checked that the total stays within <paramref name="limit"/>.</summary>
    public void Append(ReadOnlySpan<byte> bytes, int limit)
    {
        if (Length + bytes.Length > _array.Length)
        {
            Grow(Math.Min(Math.Max(Length + bytes.Length, _array.Length * 2), limit));
        }

        bytes.CopyTo(_array.AsSpan(Length));
        Length += bytes.Length;
    }

    public void Clear() => Length = 0;

    public void Dispose()
    {
        Return(_array);
        _array = [];
        Length = 0;
    }

    private void Grow(int capacity)
    {
        var grown = ArrayPool<byte>.Shared.Rent(capacity);
        WrittenSpan.CopyTo(grown);
        Return(_array);
        _array = grown;
    }

    private static void Return(byte[] array)
    {
        if (array.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(array);
        }
    }
}
