namespace Dispatcher.ApiFront.Contracts;

/// <summary>One provider's fault injection; in a PUT a missing rate is 0 and a missing status 503.</summary>
public sealed record ChaosProviderEntry(string? Name, double? FaultRate, double? LatencyRate, double? LatencyMs, double? OutcomeRate, int? OutcomeStatus);
