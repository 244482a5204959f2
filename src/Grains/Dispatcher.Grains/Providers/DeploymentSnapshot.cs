namespace Dispatcher.Grains.Providers;

/// <summary>One deployment's breaker, with the outcomes in its current sampling window.</summary>
public sealed record DeploymentSnapshot(string Model, string State, DateTimeOffset? OpenUntil, int RecentSuccesses, int RecentFailures);
