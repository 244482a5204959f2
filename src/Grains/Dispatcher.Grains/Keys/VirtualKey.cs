namespace Dispatcher.Grains.Keys;

/// <summary>
/// A virtual key as stored: who may call, for what, how often and for how much. The secret itself is never kept,
/// only its SHA-256. Immutable: a change is a new record.
/// </summary>
/// <param name="Id">Public identifier, <c>vk-</c> plus 16 hex digits: what the ledger, trail and logs carry.</param>
/// <param name="Name">The operator's label.</param>
/// <param name="SecretHash">SHA-256 of the secret's UTF-8 bytes (32 bytes).</param>
/// <param name="Routes">Routes the key may name in <c>model</c>. With <paramref name="Models"/> both empty: everything.</param>
/// <param name="Models">Model aliases the key may name in <c>model</c> or <c>models</c>.</param>
/// <param name="Rpm">Requests per minute; null = unlimited.</param>
/// <param name="MonthlyBudgetUsd">Spend per calendar month (UTC), hard-stopped; null = unlimited.</param>
/// <param name="Strict">Fallback off by default for this key's requests (<c>x-dispatcher-fallback: on</c> turns it back on).</param>
/// <param name="CreatedAt">When it was created.</param>
public sealed record VirtualKey(string Id, string Name, byte[] SecretHash, IReadOnlyList<string> Routes, IReadOnlyList<string> Models,
    int? Rpm, decimal? MonthlyBudgetUsd, bool Strict, DateTimeOffset CreatedAt);
