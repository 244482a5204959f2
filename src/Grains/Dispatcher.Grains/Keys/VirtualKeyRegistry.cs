using System.Buffers.Binary;
using Dispatcher.Grains.Configuration;
using Microsoft.Extensions.Options;

namespace Dispatcher.Grains.Keys;

/// <summary>
/// This node's virtual keys, held in memory so that authenticating a request costs a SHA-256 and a dictionary
/// lookup, never a database round trip. The table is an immutable snapshot swapped on each change; the store is
/// written first, so a key the registry knows is a key that survives a restart.
/// </summary>
public sealed class VirtualKeyRegistry : IDisposable
{
    private readonly IVirtualKeyStore _store;
    private readonly TimeProvider _time;
    private readonly byte[]? _adminHash;
    private readonly SemaphoreSlim _writes = new(1, 1);
    private KeyTable _table = KeyTable.Empty;

    /// <summary>Creates the registry; <see cref="LoadAsync"/> fills it.</summary>
    /// <exception cref="InvalidOperationException"><c>Dispatcher:Auth:AdminKey</c> names an unset variable.</exception>
    public VirtualKeyRegistry(IOptions<AuthOptions> options, IVirtualKeyStore store, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(options);
        _store = store;
        _time = time;
        if (options.Value.AdminKey is { Length: > 0 } reference)
        {
            var admin = SecretReference.Resolve(reference, Environment.GetEnvironmentVariable)
                ?? throw new InvalidOperationException($"{AuthOptions.SectionName}:AdminKey names '{reference}', which is unset or empty.");
            _adminHash = VirtualKeySecret.Hash(admin);
        }
    }

    /// <summary>True when an admin key is configured: every API call then needs a key.</summary>
    public bool AuthEnabled => _adminHash is not null;

    /// <summary>
    /// Reads every key and this month's spend from the store. Called at start-up and, in a cluster, every few seconds:
    /// a key already known keeps its state (its request window) and takes the ledger's spend when higher; keys
    /// created or deleted through another node appear or go.
    /// </summary>
    public async Task LoadAsync(CancellationToken cancellationToken)
    {
        var keys = await _store.LoadAsync(cancellationToken).ConfigureAwait(false);
        var month = VirtualKeyState.MonthOf(_time.GetUtcNow());
        var spend = await _store.SpendSinceAsync(month, cancellationToken).ConfigureAwait(false);
        await _writes.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var known = Volatile.Read(ref _table).ById;
            var states = new List<VirtualKeyState>(keys.Count);
            foreach (var key in keys)
            {
                var spent = spend.TryGetValue(key.Id, out var total) ? total : 0m;
                if (known.TryGetValue(key.Id, out var state))
                {
                    state.SyncSpend(month, spent);
                }
                else
                {
                    state = new VirtualKeyState(key, month, spent);
                }

                states.Add(state);
            }

            Volatile.Write(ref _table, new KeyTable(states));
        }
        finally
        {
            _writes.Release();
        }
    }

    /// <summary>True when <paramref name="secret"/> is the admin key (constant-time).</summary>
    public bool IsAdmin(ReadOnlySpan<char> secret) => _adminHash is not null && VirtualKeySecret.Same(VirtualKeySecret.Hash(secret), _adminHash);

    /// <summary>The key whose secret this is, or null.</summary>
    public VirtualKeyState? Authenticate(ReadOnlySpan<char> secret)
    {
        if (!secret.StartsWith(VirtualKeySecret.Prefix, StringComparison.Ordinal))
        {
            return null;
        }

        var hash = VirtualKeySecret.Hash(secret);
        return Volatile.Read(ref _table).ByHash.TryGetValue(KeyTable.Slot(hash), out var state) && VirtualKeySecret.Same(hash, state.Key.SecretHash)
            ? state
            : null;
    }

    /// <summary>Every key, oldest first.</summary>
    public IReadOnlyList<VirtualKeyState> List() => Volatile.Read(ref _table).All;

    /// <summary>The key with this id, or null.</summary>
    public VirtualKeyState? Find(string id) => Volatile.Read(ref _table).ById.GetValueOrDefault(id);

    /// <summary>The current time on the node's clock.</summary>
    public DateTimeOffset Now => _time.GetUtcNow();

    /// <summary>Creates and stores a key; returns it with its secret, which is not kept anywhere.</summary>
    public async Task<(VirtualKeyState Key, string Secret)> CreateAsync(NewVirtualKey request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        await _writes.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            string secret;
            byte[] hash;
            do
            {
                secret = VirtualKeySecret.Create();
                hash = VirtualKeySecret.Hash(secret);
            }
            while (_table.ByHash.ContainsKey(KeyTable.Slot(hash)));

            var key = new VirtualKey(VirtualKeySecret.CreateId(), request.Name, hash, request.Routes, request.Models, request.Rpm,
                request.MonthlyBudgetUsd, request.Strict, _time.GetUtcNow());
            await _store.AddAsync(key, cancellationToken).ConfigureAwait(false);
            var state = new VirtualKeyState(key, VirtualKeyState.MonthOf(key.CreatedAt), 0m);
            Volatile.Write(ref _table, new KeyTable([.. _table.All, state]));
            return (state, secret);
        }
        finally
        {
            _writes.Release();
        }
    }

    /// <summary>Deletes a key; false when unknown. Requests already admitted finish.</summary>
    public async Task<bool> DeleteAsync(string id, CancellationToken cancellationToken)
    {
        await _writes.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var deleted = await _store.DeleteAsync(id, cancellationToken).ConfigureAwait(false);
            Volatile.Write(ref _table, new KeyTable(_table.All.Where(state => state.Key.Id != id).ToList()));
            return deleted;
        }
        finally
        {
            _writes.Release();
        }
    }

    /// <inheritdoc />
    public void Dispose() => _writes.Dispose();

    private sealed class KeyTable
    {
        public static readonly KeyTable Empty = new([]);

        public KeyTable(IReadOnlyList<VirtualKeyState> all)
        {
            All = all;
            ById = all.ToDictionary(static state => state.Key.Id, StringComparer.Ordinal);
            ByHash = all.ToDictionary(static state => Slot(state.Key.SecretHash));
        }

        public IReadOnlyList<VirtualKeyState> All { get; }

        public Dictionary<string, VirtualKeyState> ById { get; }

        /// <summary>By the first 64 bits of the hash; the full hash is then compared in constant time.</summary>
        public Dictionary<ulong, VirtualKeyState> ByHash { get; }

        public static ulong Slot(ReadOnlySpan<byte> hash) => BinaryPrimitives.ReadUInt64LittleEndian(hash);
    }
}
