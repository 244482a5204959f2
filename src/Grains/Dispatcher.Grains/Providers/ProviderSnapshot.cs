namespace Dispatcher.Grains.Providers;

/// <summary>A provider as the operator API shows it (SPEC.md, GET /v1/dispatcher/providers).</summary>
public sealed record ProviderSnapshot(string Name, string State, IReadOnlyList<DeploymentSnapshot> Deployments, IReadOnlyList<KeySnapshot> Keys);

/// <summary>One deployment's breaker.</summary>
public sealed record DeploymentSnapshot(string Model, string State, DateTimeOffset? OpenUntil, int RecentSuccesses, int RecentFailures);

/// <summary>One key: its public id, parking and budget left (never its secret).</summary>
public sealed record KeySnapshot(string Id, bool Parked, string? ParkedFor, DateTimeOffset? ParkedUntil,
    int? RemainingRequests, long? RemainingTokens, DateTimeOffset? CoolingUntil);
