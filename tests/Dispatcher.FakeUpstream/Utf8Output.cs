using System.Buffers;
using System.Globalization;

namespace Dispatcher.FakeUpstream;

/// <summary>Appends pre-encoded UTF-8 and numbers to a buffer writer without intermediate strings.</summary>
internal static class Utf8Output
{
    public static void Append(this IBufferWriter<byte> writer, ReadOnlySpan<byte> bytes)
    {
        var span = writer.GetSpan(bytes.Length);
        bytes.CopyTo(span);
        writer.Advance(bytes.Length);
    }

    public static void Append(this IBufferWriter<byte> writer, long value)
    {
        var span = writer.GetSpan(20);
        value.TryFormat(span, out var written, default, CultureInfo.InvariantCulture);
        writer.Advance(written);
    }
}
