using System.Collections.Concurrent;
using System.Globalization;

namespace Dispatcher.FakeUpstream;

/// <summary>One upstream model's script: queued behaviors, its default, its call count.</summary>
internal sealed class ModelState
{
    private const string FailPrefix = "fail-";
    private const string SlowPrefix = "slow-";

    private FakeBehavior? _default;
    private int _calls;

    public ModelState(string name)
    {
        Name = name;
        EscapedName = PreparedText.Escape(name);
        NamedBehavior = FromName(name);
    }

    public string Name { get; }

    public byte[] EscapedName { get; }

    public ConcurrentQueue<FakeBehavior> Queue { get; } = new();

    public FakeBehavior? Default
    {
        get => Volatile.Read(ref _default);
        set => Volatile.Write(ref _default, value);
    }

    /// <summary>The behavior the name asks for: <c>fail-503</c> answers Status(503), <c>slow-250</c> waits 250 ms first.</summary>
    public FakeBehavior? NamedBehavior { get; }

    public int Calls => Volatile.Read(ref _calls);

    public void CountCall() => Interlocked.Increment(ref _calls);

    private static FakeBehavior? FromName(string name)
    {
        if (name.StartsWith(FailPrefix, StringComparison.Ordinal)
            && int.TryParse(name.AsSpan(FailPrefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out var status)
            && status is >= 200 and <= 599)
        {
            return FakeBehavior.Status(status);
        }

        if (name.StartsWith(SlowPrefix, StringComparison.Ordinal)
            && int.TryParse(name.AsSpan(SlowPrefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out var milliseconds))
        {
            return FakeBehavior.DelayFirstByte(TimeSpan.FromMilliseconds(milliseconds));
        }

        return null;
    }
}
