namespace Dispatcher.ApiFront.Contracts;

/// <summary>The body of /healthz and /readyz.</summary>
public sealed record HealthStatus(string Status, string? Configuration = null);
