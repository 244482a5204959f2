using System.Buffers.Binary;
using System.Diagnostics;

namespace Dispatcher.Grains.Telemetry;

/// <summary>
/// W3C trace ids that sort by creation time: the first 6 bytes are the Unix time in milliseconds (big-endian), the
/// other 10 random. Request ids are trace ids (or, for a client's trace, ids made the same way), and the ledger keys
/// its rows by them: ids that arrive in order append to the end of the key's index, so a commit writes the same few
/// pages instead of one random page per row (measured: a third of the CPU of an eight-row SQLite commit). The
/// rightmost 7 bytes stay random, as W3C Trace Context level 2 asks of ids whose random flag is set.
/// </summary>
public static class TimeOrderedTraceIds
{
    /// <summary>A new id for now.</summary>
    /// <remarks>
    /// The system clock, not an injected <see cref="TimeProvider"/>: the time part is only a sort key (the id stays
    /// unique by its 80 random bits), and ids made under a test's manual clock must still sort after older ones.
    /// </remarks>
    public static ActivityTraceId Create()
    {
        Span<byte> bytes = stackalloc byte[16];
        Random.Shared.NextBytes(bytes[6..]);
        Span<byte> millis = stackalloc byte[8];
        BinaryPrimitives.WriteInt64BigEndian(millis, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
        millis[2..].CopyTo(bytes);
        return ActivityTraceId.CreateFromBytes(bytes);
    }

    /// <summary>
    /// Makes every root activity of the process (the request spans among them) take its trace id from
    /// <see cref="Create"/>. Process-wide, like the activity id format; the node calls it once at start.
    /// </summary>
    public static void UseForRootActivities() => Activity.TraceIdGenerator = Create;
}
