using Dispatcher.Silo.Telemetry;

namespace Dispatcher.ApiFront.Contracts;

/// <summary>GET /v1/dispatcher/recent: this node's recent requests (newest first) and the fallback edges they took.</summary>
/// <param name="Since">The start of the window.</param>
/// <param name="Minutes">The window's length.</param>
/// <param name="Requests">The requests, each with its decision trail.</param>
/// <param name="FallbackEdges">How often the chain moved from one model to another, and why.</param>
public sealed record RecentActivity(DateTimeOffset Since, int Minutes, IReadOnlyList<RequestTrail> Requests, IReadOnlyList<FallbackEdge> FallbackEdges);
