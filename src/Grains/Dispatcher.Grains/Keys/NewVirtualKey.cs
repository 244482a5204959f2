namespace Dispatcher.Grains.Keys;

/// <summary>What an operator asks for when creating a key (POST /v1/dispatcher/keys).</summary>
/// <param name="Name">A label.</param>
/// <param name="Routes">Routes the key may name.</param>
/// <param name="Models">Model aliases the key may name.</param>
/// <param name="Rpm">Requests per minute, or null.</param>
/// <param name="MonthlyBudgetUsd">Monthly budget in USD, or null.</param>
/// <param name="Strict">Fallback off by default.</param>
public sealed record NewVirtualKey(string Name, IReadOnlyList<string> Routes, IReadOnlyList<string> Models, int? Rpm, decimal? MonthlyBudgetUsd, bool Strict);
