using System.Collections.Concurrent;
using Dispatcher.Grains.Routing;

namespace Dispatcher.Grains.Conversations;

/// <summary>
/// This node's active conversations. A lookup is served from the local actor while its pin is current (no store
/// round trip on the hot path), read through from <see cref="IConversationPinStore"/> on a miss (so a turn that lands
/// on another node honours the pin), and every change is a compare-and-set on the stored version: when another node
/// moved the pin first, its pin wins and is cached here.
/// </summary>
public sealed class ConversationDirectory
{
    private const int SweepEvery = 4096;

    private readonly ConcurrentDictionary<ConversationKey, ConversationActor> _actors = new();
    private readonly IConversationPinStore _store;
    private readonly TimeProvider _time;
    private int _lookups;

    /// <summary>Creates the directory over <paramref name="store"/>.</summary>
    public ConversationDirectory(IConversationPinStore store, TimeProvider time)
    {
        _store = store;
        _time = time;
    }

    /// <summary>Conversations cached on this node.</summary>
    public int CachedCount => _actors.Count;

    /// <summary>The current pin of <paramref name="key"/>, or null for a new (or expired) conversation.</summary>
    public async ValueTask<ConversationPin?> FindAsync(ConversationKey key, CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        if (Interlocked.Increment(ref _lookups) % SweepEvery == 0)
        {
            Sweep(now);
        }

        if (_actors.TryGetValue(key, out var actor))
        {
            var pin = actor.Pin;
            if (pin.ExpiresAt > now)
            {
                return pin;
            }

            _actors.TryRemove(new KeyValuePair<ConversationKey, ConversationActor>(key, actor));
        }

        var stored = await _store.FindAsync(key, cancellationToken).ConfigureAwait(false);
        if (stored is not null)
        {
            _actors[key] = new ConversationActor(stored);
        }

        return stored;
    }

    /// <summary>Forgets the cached copy of <paramref name="key"/> (another node changed it); the next lookup reads the store.</summary>
    public void Invalidate(ConversationKey key) => _actors.TryRemove(key, out _);

    /// <summary>
    /// Records that <paramref name="served"/> served a turn of <paramref name="key"/>, whose pin was
    /// <paramref name="seen"/> when the turn began: pins a new conversation, counts a turn, or moves the pin.
    /// </summary>
    /// <returns><c>old-&gt;new</c> when the pin moved, else null.</returns>
    public async ValueTask<string?> RecordServedAsync(ConversationKey key, ConversationPin? seen, ModelDeployment served, TimeSpan idleTtl,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(served);
        var now = _time.GetUtcNow();
        if (seen is not null && string.Equals(seen.ModelAlias, served.Alias, StringComparison.OrdinalIgnoreCase))
        {
            var actor = _actors.GetOrAdd(key, static (_, pin) => new ConversationActor(pin), seen);
            if (actor.Touch(now, idleTtl) is { } refreshed)
            {
                await SaveAsync(refreshed, refreshed.Version - 1, cancellationToken).ConfigureAwait(false);
            }

            return null;
        }

        string? moved = null;
        ConversationPin pin;
        if (seen is null)
        {
            pin = new ConversationPin(key, served.Alias, served.Provider.Name, 1, [], now, now, now + idleTtl, 1);
        }
        else
        {
            moved = seen.ModelAlias + "->" + served.Alias;
            pin = seen with
            {
                ModelAlias = served.Alias,
                Provider = served.Provider.Name,
                Turns = seen.Turns + 1,
                FallbackHistory = [.. seen.FallbackHistory, moved],
                PinnedAt = now,
                LastUsed = now,
                ExpiresAt = now + idleTtl,
                Version = seen.Version + 1,
            };
        }

        await SaveAsync(pin, pin.Version - 1, cancellationToken).ConfigureAwait(false);
        return moved;
    }

    private async ValueTask SaveAsync(ConversationPin pin, long expectedVersion, CancellationToken cancellationToken)
    {
        if (await _store.TrySaveAsync(pin, expectedVersion, cancellationToken).ConfigureAwait(false))
        {
            _actors.AddOrUpdate(pin.Key, static (_, saved) => new ConversationActor(saved), static (_, actor, saved) =>
            {
                actor.Saved(saved);
                return actor;
            }, pin);
            return;
        }

        // Another node (or a concurrent turn here) changed the pin first: its version is the truth from now on.
        var stored = await _store.FindAsync(pin.Key, cancellationToken).ConfigureAwait(false);
        if (stored is null)
        {
            _actors.TryRemove(pin.Key, out _);
        }
        else
        {
            _actors[pin.Key] = new ConversationActor(stored);
        }
    }

    private void Sweep(DateTimeOffset now)
    {
        foreach (var (key, actor) in _actors)
        {
            if (actor.Pin.ExpiresAt <= now)
            {
                _actors.TryRemove(new KeyValuePair<ConversationKey, ConversationActor>(key, actor));
            }
        }
    }
}
