using System.Collections.Concurrent;

namespace Dispatcher.Grains.Conversations;

/// <summary>
/// Embedded mode's pin store: a dictionary in this process, expiring pins on the injected clock. Pins are lost when
/// the process ends (a single node has no other node to hand them to); expired pins are swept every 1024 saves.
/// </summary>
public sealed class InProcessConversationPinStore : IConversationPinStore
{
    private const int SweepEvery = 1024;

    private readonly ConcurrentDictionary<ConversationKey, ConversationPin> _pins = new();
    private readonly TimeProvider _time;
    private int _saves;

    /// <summary>Creates an empty store on <paramref name="time"/>.</summary>
    public InProcessConversationPinStore(TimeProvider time) => _time = time;

    /// <summary>Pins held, expired ones not yet swept included.</summary>
    public int Count => _pins.Count;

    /// <inheritdoc />
    public ValueTask<ConversationPin?> FindAsync(ConversationKey key, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return ValueTask.FromResult(_pins.TryGetValue(key, out var pin) && pin.ExpiresAt > _time.GetUtcNow() ? pin : null);
    }

    /// <inheritdoc />
    public ValueTask<bool> TrySaveAsync(ConversationPin pin, long expectedVersion, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(pin);
        cancellationToken.ThrowIfCancellationRequested();
        if (Interlocked.Increment(ref _saves) % SweepEvery == 0)
        {
            Sweep();
        }

        while (true)
        {
            if (!_pins.TryGetValue(pin.Key, out var stored))
            {
                if (expectedVersion != 0)
                {
                    return ValueTask.FromResult(false);
                }

                if (_pins.TryAdd(pin.Key, pin))
                {
                    return ValueTask.FromResult(true);
                }

                continue;
            }

            var storedVersion = stored.ExpiresAt > _time.GetUtcNow() ? stored.Version : 0;
            if (storedVersion != expectedVersion)
            {
                return ValueTask.FromResult(false);
            }

            // Compare-and-set on the exact instance read: a concurrent writer makes this fail and the loop re-reads.
            if (_pins.TryUpdate(pin.Key, pin, stored))
            {
                return ValueTask.FromResult(true);
            }
        }
    }

    private void Sweep()
    {
        var now = _time.GetUtcNow();
        foreach (var (key, pin) in _pins)
        {
            if (pin.ExpiresAt <= now)
            {
                _pins.TryRemove(new KeyValuePair<ConversationKey, ConversationPin>(key, pin));
            }
        }
    }
}
