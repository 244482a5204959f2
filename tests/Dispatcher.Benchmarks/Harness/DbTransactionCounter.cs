using System.Diagnostics;
using Npgsql;

namespace Dispatcher.Benchmarks.Harness;

/// <summary>
/// Counts the transactions of the cluster node's database (<c>xact_commit + xact_rollback</c> in
/// <c>pg_stat_database</c>), read from the <c>postgres</c> database so the readings are not counted themselves.
/// PostgreSQL 15 publishes a backend's counters lazily: when it ends a transaction at least a second after its
/// previous publication, or when it exits (here, an idle backend's last counts were still unpublished after 40 s);
/// <c>pg_stat_force_next_flush()</c> only flushes the caller's own backend. The authority's sync loop uses the
/// database at least every <c>LeaseTtl</c>/4 (a 2.5 s heartbeat), so its counts are published within about 5 s of
/// the load (measured); a reading that must include everything up to a moment is taken <see cref="Settle"/> after
/// the node's last activity (<see cref="ReadSettledAsync"/>).
/// </summary>
internal sealed class DbTransactionCounter : IAsyncDisposable
{
    /// <summary>Two heartbeat intervals and more: the counts of the load are published by then.</summary>
    public static readonly TimeSpan Settle = TimeSpan.FromSeconds(11);

    private static readonly string[] AuthorityTables =
        ["dispatcher_nodes", "dispatcher_breakers", "dispatcher_breaker_window", "dispatcher_budgets", "dispatcher_leases", "dispatcher_schema"];

    private readonly NpgsqlDataSource _admin;
    private readonly NpgsqlDataSource _database;
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private TimeSpan _lastActive;

    public DbTransactionCounter(PostgresServer server)
    {
        _admin = NpgsqlDataSource.Create(server.AdminConnectionString);
        _database = NpgsqlDataSource.Create(server.ConnectionString);
    }

    /// <summary>The node just served load: the next settled reading waits <see cref="Settle"/> from now.</summary>
    public void MarkActive() => _lastActive = _clock.Elapsed;

    /// <summary>The counter once everything up to the node's last activity is published (waits for it if needed).</summary>
    public async Task<DbReading> ReadSettledAsync()
    {
        var wait = _lastActive + Settle - _clock.Elapsed;
        if (wait > TimeSpan.Zero)
        {
            await Task.Delay(wait);
        }

        return await ReadNowAsync();
    }

    /// <summary>The counter as published now.</summary>
    public async Task<DbReading> ReadNowAsync()
    {
        // Two statements in one round trip: drop any cached statistics snapshot, then read.
        await using var command = _admin.CreateCommand(
            "SELECT pg_stat_clear_snapshot(); SELECT coalesce(sum(xact_commit + xact_rollback), 0)::bigint FROM pg_stat_database " +
            $"WHERE datname = '{PostgresServer.Database}'");
        await using var reader = await command.ExecuteReaderAsync();
        await reader.NextResultAsync();
        await reader.ReadAsync();
        return new DbReading(reader.GetInt64(0), _clock.Elapsed);
    }

    /// <summary>Tables in the node's database besides the authority's: the ledger, once it is written to PostgreSQL;
    /// its group commits are then in the same transaction count.</summary>
    public async Task<IReadOnlyList<string>> OtherTablesAsync()
    {
        await using var command = _database.CreateCommand(
            "SELECT tablename FROM pg_tables WHERE schemaname NOT IN ('pg_catalog', 'information_schema') AND NOT tablename = ANY($1) ORDER BY 1");
        command.Parameters.Add(new NpgsqlParameter { Value = AuthorityTables });
        await using var reader = await command.ExecuteReaderAsync();
        var tables = new List<string>();
        while (await reader.ReadAsync())
        {
            tables.Add(reader.GetString(0));
        }

        return tables;
    }

    public async ValueTask DisposeAsync()
    {
        await _admin.DisposeAsync();
        await _database.DisposeAsync();
    }
}
