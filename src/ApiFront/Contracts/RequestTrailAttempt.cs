namespace Dispatcher.ApiFront.Contracts;

/// <summary>One attempt of a request trail.</summary>
public sealed record RequestTrailAttempt(string Model, string Provider, string? KeyId, string Kind, string Action, int Status,
    double LatencyMs, decimal CostUsd, string? Detail);
