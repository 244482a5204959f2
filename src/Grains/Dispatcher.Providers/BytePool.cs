using System.Buffers;

namespace Dispatcher.Providers;

/// <summary>
/// Byte arrays for bodies and events: up to <see cref="MaxPooledBytes"/> from <see cref="ArrayPool{T}.Shared"/>, larger
/// ones allocated and left to the GC. The shared pool keeps an array per size per thread and per core: pooling the
/// rare huge body (a hostile upstream's 32 MiB answer, a 10 MiB prompt) would keep hundreds of MiB alive for nothing.
/// </summary>
public static class BytePool
{
    /// <summary>The largest array that is pooled: 1 MiB.</summary>
    public const int MaxPooledBytes = 1024 * 1024;

    /// <summary>An array of at least <paramref name="minimumLength"/> bytes.</summary>
    public static byte[] Rent(int minimumLength) =>
        minimumLength <= MaxPooledBytes ? ArrayPool<byte>.Shared.Rent(minimumLength) : GC.AllocateUninitializedArray<byte>(minimumLength);

    /// <summary>Gives back an array from <see cref="Rent"/>; the caller must not use it after.</summary>
    public static void Return(byte[] array)
    {
        ArgumentNullException.ThrowIfNull(array);
        if (array.Length is > 0 and <= MaxPooledBytes)
        {
            ArrayPool<byte>.Shared.Return(array);
        }
    }
}
