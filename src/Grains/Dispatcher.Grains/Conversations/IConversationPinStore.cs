namespace Dispatcher.Grains.Conversations;

/// <summary>
/// The durable copy of conversation pins, shared by every node of a cluster (Embedded mode: in process; a cluster:
/// PostgreSQL rows). Writes are version-checked so two nodes serving turns of one conversation never overwrite
/// each other blindly. Implementations pass <c>ConversationPinStoreContract</c> in the tests.
/// </summary>
public interface IConversationPinStore
{
    /// <summary>
    /// The pin of <paramref name="key"/>, or null when there is none or it has expired
    /// (<see cref="ConversationPin.ExpiresAt"/> is not after the store's clock).
    /// </summary>
    ValueTask<ConversationPin?> FindAsync(ConversationKey key, CancellationToken cancellationToken);

    /// <summary>
    /// Saves <paramref name="pin"/> (its <see cref="ConversationPin.Version"/> becomes the stored version) when the stored
    /// version is <paramref name="expectedVersion"/>. An absent or expired pin counts as version 0, so 0 inserts.
    /// </summary>
    /// <returns>False, storing nothing, when another writer got there first.</returns>
    ValueTask<bool> TrySaveAsync(ConversationPin pin, long expectedVersion, CancellationToken cancellationToken);
}
