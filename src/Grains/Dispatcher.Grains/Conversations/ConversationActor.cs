namespace Dispatcher.Grains.Conversations;

/// <summary>
/// One active conversation as this node knows it: the pin last read from or saved to the store, plus the turns
/// served here since. Single writer: its lock is held for a few field writes, never across the store's I/O.
/// </summary>
internal sealed class ConversationActor
{
    private readonly Lock _gate = new();
    private ConversationPin _pin;
    private DateTimeOffset _savedLastUsed;

    public ConversationActor(ConversationPin stored)
    {
        _pin = stored;
        _savedLastUsed = stored.LastUsed;
    }

    /// <summary>The pin as this node sees it (its <see cref="ConversationPin.Version"/> is the stored one).</summary>
    public ConversationPin Pin
    {
        get
        {
            lock (_gate)
            {
                return _pin;
            }
        }
    }

    /// <summary>
    /// Counts a turn served by the pinned model. Returns the pin to save when the stored copy needs its expiry pushed
    /// out (a quarter of the idle TTL has passed since the last save), else null: most turns cost no store write.
    /// </summary>
    public ConversationPin? Touch(DateTimeOffset now, TimeSpan idleTtl)
    {
        lock (_gate)
        {
            var stale = now - _savedLastUsed >= idleTtl / 4;
            _pin = _pin with { Turns = _pin.Turns + 1, LastUsed = now, ExpiresAt = now + idleTtl };
            return stale ? _pin with { Version = _pin.Version + 1 } : null;
        }
    }

    /// <summary>The store accepted <paramref name="saved"/>: it is now the pin this node serves from.</summary>
    public void Saved(ConversationPin saved)
    {
        lock (_gate)
        {
            if (saved.Version >= _pin.Version)
            {
                _pin = saved;
                _savedLastUsed = saved.LastUsed;
            }
        }
    }
}
