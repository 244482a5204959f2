namespace Dispatcher.ApiFront.Contracts;

/// <summary>One attempt of a request trail; <paramref name="Injected"/> is true (else absent) when chaos injected its failure.</summary>
public sealed record RequestTrailAttempt(string Model, string Provider, string? KeyId, string Kind, string Action, int Status,
    double LatencyMs, decimal CostUsd, string? Detail, bool? Injected = null);
