namespace Dispatcher.Grains.Providers;

/// <summary>
/// The authority's own view, for the operator API: the nodes, each deployment's cluster-wide breaker row and window,
/// and who holds which lease. Embedded mode: this node alone, no rows.
/// </summary>
public sealed record ClusterView(string Mode, string Node, bool Degraded, IReadOnlyList<ClusterNode> Nodes,
    IReadOnlyList<ClusterBreakerRow> Breakers, IReadOnlyList<ClusterLease> Leases);

/// <summary>A node of the cluster and its last heartbeat.</summary>
public sealed record ClusterNode(string Id, DateTimeOffset StartedAt, DateTimeOffset HeartbeatAt, bool Alive);

/// <summary>A deployment's authority row and its cluster-wide sampling window.</summary>
public sealed record ClusterBreakerRow(string Provider, string Model, string State, DateTimeOffset? OpenUntil, long Version,
    int WindowSuccesses, int WindowFailures, double ErrorRatio);

/// <summary>A node's lease on a key's one-minute window: what it was granted and what it reported used.</summary>
public sealed record ClusterLease(string Provider, string KeyId, string Node, DateTimeOffset WindowStart, int GrantedRequests,
    long GrantedTokens, int UsedRequests, long UsedTokens, DateTimeOffset ExpiresAt, bool Live);
