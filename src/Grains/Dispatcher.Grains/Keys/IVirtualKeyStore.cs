namespace Dispatcher.Grains.Keys;

/// <summary>
/// Where virtual keys live (SQLite in Embedded mode, PostgreSQL in a cluster). Read once at start-up and on every
/// change; the hot path asks <see cref="VirtualKeyRegistry"/>, never the store.
/// </summary>
public interface IVirtualKeyStore
{
    /// <summary>Every key.</summary>
    Task<IReadOnlyList<VirtualKey>> LoadAsync(CancellationToken cancellationToken);

    /// <summary>Stores a new key.</summary>
    Task AddAsync(VirtualKey key, CancellationToken cancellationToken);

    /// <summary>Deletes a key; false when there was none with that id. Its ledger rows stay.</summary>
    Task<bool> DeleteAsync(string id, CancellationToken cancellationToken);

    /// <summary>What each key has spent since <paramref name="since"/>, from the request ledger, by key id.</summary>
    Task<IReadOnlyDictionary<string, decimal>> SpendSinceAsync(DateTimeOffset since, CancellationToken cancellationToken);
}
