namespace Dispatcher.Silo.Telemetry;

/// <summary>How often requests moved from one model to another, and why.</summary>
/// <param name="From">The alias that failed or was skipped.</param>
/// <param name="To">The alias tried next.</param>
/// <param name="Reason">The failure kind.</param>
/// <param name="Count">How many times.</param>
public sealed record FallbackEdge(string From, string To, string Reason, int Count);
