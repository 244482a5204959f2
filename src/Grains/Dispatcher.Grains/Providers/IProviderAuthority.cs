namespace Dispatcher.Grains.Providers;

/// <summary>
/// The cluster's truth about provider health and budget. Actors never keep their own copy of it: they ask the
/// authority for the breaker of each deployment and the budget of each key, and use those objects on the hot path.
/// Embedded mode hands out in-process objects; a PostgreSQL authority hands out views kept in step by leases and
/// notifications, so that a request never waits on the database.
/// </summary>
public interface IProviderAuthority
{
    /// <summary>"embedded" or "postgres", for the operator API.</summary>
    string Mode { get; }

    /// <summary>The breaker of deployment <paramref name="upstreamModel"/> on <paramref name="provider"/>.</summary>
    IDeploymentBreaker GetBreaker(string provider, string upstreamModel, BreakerOptions options);

    /// <summary>The budget of key <paramref name="keyId"/> on <paramref name="provider"/>.</summary>
    IKeyBudget GetBudget(string provider, string keyId, int? rpm, int? tpm);

    /// <summary>The authority's view for the operator API (reads the database in a cluster: never on the hot path).</summary>
    Task<ClusterView> DescribeAsync(CancellationToken cancellationToken);
}
