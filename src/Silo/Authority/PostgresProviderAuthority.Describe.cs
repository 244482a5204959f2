using Dispatcher.Grains.Providers;

namespace Dispatcher.Silo.Authority;

// The operator API's view of the cluster: three reads, never on a request's path.
internal sealed partial class PostgresProviderAuthority
{
    public async Task<ClusterView> DescribeAsync(CancellationToken cancellationToken)
    {
        var aliveAfter = (long)_options.LeaseTtl.TotalMilliseconds;
        var nodes = new List<ClusterNode>();
        var breakers = new List<ClusterBreakerRow>();
        var leases = new List<ClusterLease>();
        await using var batch = _dataSource.CreateBatch();
        batch.BatchCommands.Add(new($"""
            SELECT node_id, started_at, heartbeat_at, stopped_at IS NULL AND heartbeat_at > now() - {aliveAfter} * interval '1 millisecond'
            FROM dispatcher_nodes ORDER BY node_id
            """));
        batch.BatchCommands.Add(new("""
            SELECT b.provider, b.model, b.state, b.open_until, b.version,
                   coalesce(sum(w.successes), 0)::integer, coalesce(sum(w.failures), 0)::integer,
                   now() >= coalesce(b.open_until, now())
            FROM dispatcher_breakers b
            LEFT JOIN dispatcher_breaker_window w ON w.provider = b.provider AND w.model = b.model
            GROUP BY b.provider, b.model ORDER BY b.provider, b.model
            """));
        batch.BatchCommands.Add(new("""
            SELECT provider, key_id, node_id, window_start, granted_requests, granted_tokens, used_requests, used_tokens,
                   expires_at, expires_at > now()
            FROM dispatcher_leases WHERE window_start >= date_trunc('minute', now())
            ORDER BY provider, key_id, window_start, node_id
            """));
        await using var reader = await batch.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            nodes.Add(new ClusterNode(reader.GetString(0), reader.GetFieldValue<DateTimeOffset>(1), reader.GetFieldValue<DateTimeOffset>(2), reader.GetBoolean(3)));
        }

        await reader.NextResultAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            var (successes, failures) = (reader.GetInt32(5), reader.GetInt32(6));
            var state = reader.GetString(2) == "closed" ? "closed" : reader.GetBoolean(7) ? "half_open" : "open";
            breakers.Add(new ClusterBreakerRow(reader.GetString(0), reader.GetString(1), state,
                reader.IsDBNull(3) ? null : reader.GetFieldValue<DateTimeOffset>(3), reader.GetInt64(4), successes, failures,
                successes + failures == 0 ? 0 : (double)failures / (successes + failures)));
        }

        await reader.NextResultAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            leases.Add(new ClusterLease(reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetFieldValue<DateTimeOffset>(3),
                reader.GetInt32(4), reader.GetInt64(5), reader.GetInt32(6), reader.GetInt64(7), reader.GetFieldValue<DateTimeOffset>(8), reader.GetBoolean(9)));
        }

        return new ClusterView(Mode, NodeId, IsDegraded, nodes, breakers, leases);
    }
}
