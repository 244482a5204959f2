namespace Dispatcher.ApiFront.Contracts;

/// <summary>GET/PUT/DELETE /v1/dispatcher/chaos: whether injection is enabled and each provider's settings.</summary>
/// <param name="Enabled">Dispatcher:Chaos:Enabled (read-only).</param>
/// <param name="Seed">Dispatcher:Chaos:Seed (read-only).</param>
/// <param name="Providers">One entry per provider; a PUT names only those it changes.</param>
public sealed record ChaosDocument(bool? Enabled, int? Seed, IReadOnlyList<ChaosProviderEntry>? Providers);
