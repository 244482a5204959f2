using Dispatcher.Grains.Providers;
using Npgsql;
using NpgsqlTypes;

namespace Dispatcher.Silo.Authority;

// The background loops and their SQL: the only code that talks to the database.
internal sealed partial class PostgresProviderAuthority
{
    private DateTimeOffset _lastHeartbeat;
    private DateTimeOffset _lastResync;

    private TimeSpan HeartbeatInterval => _options.LeaseTtl / 4;

    // Leases are renewed (and the next window's taken) this long before they end.
    private TimeSpan RenewHorizon => _options.LeaseTtl / 2;

    private async Task SyncLoopAsync()
    {
        var stopping = _stopping.Token;
        while (!stopping.IsCancellationRequested)
        {
            try
            {
                using (var idle = CancellationTokenSource.CreateLinkedTokenSource(stopping))
                {
                    idle.CancelAfter(HeartbeatInterval);
                    await ((Task)_wake.Reader.ReadAsync(idle.Token).AsTask()).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                }

                // Outcomes that arrive within the interval ride in the same round trip.
                await Task.Delay(_options.ReportInterval, _time, stopping);
                if (!_joined)
                {
                    await JoinAsync(stopping);
                    continue;
                }

                await ReportOutcomesAsync(stopping);
                await RefillAsync(stopping);
                var now = _time.GetUtcNow();
                if (now - _lastHeartbeat >= HeartbeatInterval)
                {
                    await HeartbeatAsync(stopping);
                }

                if (now - _lastResync >= RenewHorizon)
                {
                    await ResyncBreakersAsync(stopping);
                }

                if (_degraded)
                {
                    _degraded = false;
                    Log.Reconnected(_logger);
                }
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is NpgsqlException or TimeoutException or InvalidOperationException or OperationCanceledException)
            {
                if (!_degraded)
                {
                    _degraded = true;
                    Log.Degraded(_logger, e.Message);
                }

                await Task.Delay(_options.ReportInterval * 5, _time, stopping).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
        }
    }

    private async Task ReportOutcomesAsync(CancellationToken cancellationToken)
    {
        List<(ClusterBreaker Breaker, int Successes, int Failures)>? batch = null;
        foreach (var breaker in _breakers.Values)
        {
            var (successes, failures) = breaker.TakePending();
            if (successes + failures > 0)
            {
                (batch ??= []).Add((breaker, successes, failures));
            }
        }

        if (batch is null)
        {
            return;
        }

        try
        {
            await using var command = _dataSource.CreateCommand(
                "SELECT * FROM dispatcher_report_outcomes($1, $2, $3, $4, $5, $6, $7, $8)");
            command.Parameters.Add(new NpgsqlParameter { Value = batch.Select(b => b.Breaker.Provider).ToArray() });
            command.Parameters.Add(new NpgsqlParameter { Value = batch.Select(b => b.Breaker.Model).ToArray() });
            command.Parameters.Add(new NpgsqlParameter { Value = batch.Select(b => b.Successes).ToArray() });
            command.Parameters.Add(new NpgsqlParameter { Value = batch.Select(b => b.Failures).ToArray() });
            command.Parameters.Add(new NpgsqlParameter { Value = batch.Select(b => b.Breaker.Options.FailureRatio).ToArray() });
            command.Parameters.Add(new NpgsqlParameter { Value = batch.Select(b => b.Breaker.Options.MinimumThroughput).ToArray() });
            command.Parameters.Add(new NpgsqlParameter { Value = batch.Select(b => (long)b.Breaker.Options.SamplingDuration.TotalMilliseconds).ToArray() });
            command.Parameters.Add(new NpgsqlParameter { Value = batch.Select(b => (long)b.Breaker.Options.BreakDuration.TotalMilliseconds).ToArray() });
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                ApplyBreakerRow(reader);
            }
        }
        catch
        {
            foreach (var (breaker, successes, failures) in batch)
            {
                breaker.ReturnPending(successes, failures);
            }

            throw;
        }
    }

    private async Task ResyncBreakersAsync(CancellationToken cancellationToken)
    {
        await using var command = _dataSource.CreateCommand("""
            SELECT b.provider, b.model, b.state, b.open_until, b.version,
                   coalesce(sum(w.successes), 0)::bigint, coalesce(sum(w.failures), 0)::bigint, now()
            FROM dispatcher_breakers b
            LEFT JOIN dispatcher_breaker_window w ON w.provider = b.provider AND w.model = b.model
            GROUP BY b.provider, b.model
            """);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            ApplyBreakerRow(reader);
        }

        _lastResync = _time.GetUtcNow();
    }

    // Columns: provider, model, state, open_until, version, successes, failures, database now.
    private void ApplyBreakerRow(NpgsqlDataReader reader)
    {
        MeasureClock(reader.GetFieldValue<DateTimeOffset>(7));
        var key = (reader.GetString(0), reader.GetString(1));
        if (!_breakers.TryGetValue(key, out var breaker))
        {
            return; // a deployment this node's configuration does not use
        }

        var openUntil = reader.IsDBNull(3) ? (DateTimeOffset?)null : reader.GetFieldValue<DateTimeOffset>(3) - ClockOffset;
        var row = new BreakerRow(reader.GetString(2) == "open" ? BreakerState.Open : BreakerState.Closed, openUntil,
            reader.GetInt64(4), (int)reader.GetInt64(5), (int)reader.GetInt64(6));
        if (breaker.Apply(row))
        {
            Log.BreakerChanged(_logger, breaker.Provider, breaker.Model, breaker.State.ToString(), row.Version);
        }
    }

    private async Task RefillAsync(CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        foreach (var budget in _budgets)
        {
            if (budget.DueGrant(now, RenewHorizon) is not { } request)
            {
                continue;
            }

            await using var command = _dataSource.CreateCommand(
                "SELECT * FROM dispatcher_grant_lease($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)");
            command.Parameters.Add(new NpgsqlParameter { Value = budget.Provider });
            command.Parameters.Add(new NpgsqlParameter { Value = budget.KeyId });
            command.Parameters.Add(new NpgsqlParameter { Value = NodeId });
            command.Parameters.Add(new NpgsqlParameter { Value = (object?)budget.Rpm ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Integer });
            command.Parameters.Add(new NpgsqlParameter { Value = (object?)(long?)budget.Tpm ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Bigint });
            command.Parameters.Add(new NpgsqlParameter { Value = request.NextWindow });
            command.Parameters.Add(new NpgsqlParameter { Value = request.WantRequests });
            command.Parameters.Add(new NpgsqlParameter { Value = request.WantTokens });
            command.Parameters.Add(new NpgsqlParameter { Value = request.UsedRequests });
            command.Parameters.Add(new NpgsqlParameter { Value = request.UsedTokens });
            command.Parameters.Add(new NpgsqlParameter { Value = (long)_options.LeaseTtl.TotalMilliseconds });
            command.Parameters.Add(new NpgsqlParameter
            {
                Value = request.CoolingUntil is { } cooling ? cooling + ClockOffset : DBNull.Value,
                NpgsqlDbType = NpgsqlDbType.TimestampTz,
            });
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            if (await reader.ReadAsync(cancellationToken))
            {
                MeasureClock(reader.GetFieldValue<DateTimeOffset>(5));
                var grant = new Grant(reader.GetFieldValue<DateTimeOffset>(0), reader.GetInt32(1), reader.GetInt64(2),
                    reader.GetFieldValue<DateTimeOffset>(3), reader.IsDBNull(4) ? null : reader.GetFieldValue<DateTimeOffset>(4));
                budget.Apply(request, grant, ClockOffset);
            }
        }
    }

    private async Task HeartbeatAsync(CancellationToken cancellationToken)
    {
        await using var batch = _dataSource.CreateBatch();
        var beat = new NpgsqlBatchCommand("""
            INSERT INTO dispatcher_nodes (node_id, address) VALUES ($1, $2)
            ON CONFLICT (node_id) DO UPDATE SET heartbeat_at = now(), stopped_at = NULL
            """);
        beat.Parameters.Add(new NpgsqlParameter { Value = NodeId });
        beat.Parameters.Add(new NpgsqlParameter { Value = Environment.MachineName });
        var count = new NpgsqlBatchCommand("""
            SELECT count(*)::integer, now() FROM dispatcher_nodes
            WHERE stopped_at IS NULL AND heartbeat_at > now() - $1 * interval '1 millisecond'
            """);
        count.Parameters.Add(new NpgsqlParameter { Value = (long)_options.LeaseTtl.TotalMilliseconds });
        batch.BatchCommands.Add(beat);
        batch.BatchCommands.Add(count);
        await using var reader = await batch.ExecuteReaderAsync(cancellationToken);
        if (await reader.ReadAsync(cancellationToken))
        {
            _liveNodes = Math.Max(1, reader.GetInt32(0));
            MeasureClock(reader.GetFieldValue<DateTimeOffset>(1));
        }

        _lastHeartbeat = _time.GetUtcNow();
    }

    // Graceful stop: what this node holds but has not used goes back to the cluster at once.
    private async Task LeaveAsync(CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        await using var batch = _dataSource.CreateBatch();
        foreach (var budget in _budgets)
        {
            if (budget.Held(now) is not { } held)
            {
                continue;
            }

            var command = new NpgsqlBatchCommand("""
                UPDATE dispatcher_leases SET used_requests = $4, used_tokens = $5, granted_requests = $4, granted_tokens = $5,
                    expires_at = now()
                WHERE provider = $1 AND key_id = $2 AND node_id = $3 AND window_start = $6
                """);
            command.Parameters.Add(new NpgsqlParameter { Value = budget.Provider });
            command.Parameters.Add(new NpgsqlParameter { Value = budget.KeyId });
            command.Parameters.Add(new NpgsqlParameter { Value = NodeId });
            command.Parameters.Add(new NpgsqlParameter { Value = held.UsedRequests });
            command.Parameters.Add(new NpgsqlParameter { Value = held.UsedTokens });
            command.Parameters.Add(new NpgsqlParameter { Value = held.WindowStart });
            batch.BatchCommands.Add(command);
        }

        var leave = new NpgsqlBatchCommand("UPDATE dispatcher_nodes SET stopped_at = now() WHERE node_id = $1");
        leave.Parameters.Add(new NpgsqlParameter { Value = NodeId });
        batch.BatchCommands.Add(leave);
        await batch.ExecuteNonQueryAsync(cancellationToken);
        Log.Left(_logger, NodeId);
    }
}
