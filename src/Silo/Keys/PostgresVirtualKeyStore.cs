using Dispatcher.Grains.Keys;
using Dispatcher.Silo.Postgres;
using Npgsql;
using NpgsqlTypes;

namespace Dispatcher.Silo.Keys;

/// <summary>
/// Virtual keys of a cluster: one table in the cluster's PostgreSQL, so that every node loads the same keys, and each
/// key's monthly spend summed from the cluster's request ledger (every node's rows). Used at start-up and by key
/// management only: requests are authenticated from memory.
/// </summary>
internal sealed class PostgresVirtualKeyStore : IVirtualKeyStore, IDisposable
{
    /// <summary>The <c>keys</c> component's migrations (<see cref="PostgresMigrator"/>).</summary>
    public static readonly string[] Migrations =
    [
        """
        CREATE TABLE virtual_keys (
            id text PRIMARY KEY,
            name text NOT NULL,
            secret_sha256 bytea NOT NULL,
            routes text[] NOT NULL,
            models text[] NOT NULL,
            rpm integer,
            monthly_budget_usd numeric,
            strict boolean NOT NULL,
            created_at timestamptz NOT NULL);
        """,
    ];

    private readonly NpgsqlDataSource _dataSource;
    private readonly LazySchema _schema;

    public PostgresVirtualKeyStore(NpgsqlDataSource dataSource)
    {
        _dataSource = dataSource;
        _schema = new LazySchema(dataSource, "keys", Migrations);
    }

    public async Task<IReadOnlyList<VirtualKey>> LoadAsync(CancellationToken cancellationToken)
    {
        await _schema.EnsureAsync(cancellationToken);
        await using var command = _dataSource.CreateCommand("""
            SELECT id, name, secret_sha256, routes, models, rpm, monthly_budget_usd, strict, created_at
            FROM virtual_keys ORDER BY created_at, id
            """);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var keys = new List<VirtualKey>();
        while (await reader.ReadAsync(cancellationToken))
        {
            keys.Add(new VirtualKey(
                reader.GetString(0),
                reader.GetString(1),
                reader.GetFieldValue<byte[]>(2),
                reader.GetFieldValue<string[]>(3),
                reader.GetFieldValue<string[]>(4),
                reader.IsDBNull(5) ? null : reader.GetInt32(5),
                reader.IsDBNull(6) ? null : reader.GetDecimal(6),
                reader.GetBoolean(7),
                reader.GetFieldValue<DateTimeOffset>(8)));
        }

        return keys;
    }

    public async Task AddAsync(VirtualKey key, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(key);
        await _schema.EnsureAsync(cancellationToken);
        await using var command = _dataSource.CreateCommand("""
            INSERT INTO virtual_keys (id, name, secret_sha256, routes, models, rpm, monthly_budget_usd, strict, created_at)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
            """);
        command.Parameters.Add(new NpgsqlParameter { Value = key.Id });
        command.Parameters.Add(new NpgsqlParameter { Value = key.Name });
        command.Parameters.Add(new NpgsqlParameter { Value = key.SecretHash });
        command.Parameters.Add(new NpgsqlParameter { Value = key.Routes.ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
        command.Parameters.Add(new NpgsqlParameter { Value = key.Models.ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
        command.Parameters.Add(new NpgsqlParameter { Value = (object?)key.Rpm ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Integer });
        command.Parameters.Add(new NpgsqlParameter { Value = (object?)key.MonthlyBudgetUsd ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Numeric });
        command.Parameters.Add(new NpgsqlParameter { Value = key.Strict });
        command.Parameters.Add(new NpgsqlParameter { Value = key.CreatedAt });
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task<bool> DeleteAsync(string id, CancellationToken cancellationToken)
    {
        await _schema.EnsureAsync(cancellationToken);
        await using var command = _dataSource.CreateCommand("DELETE FROM virtual_keys WHERE id = $1");
        command.Parameters.Add(new NpgsqlParameter { Value = id });
        return await command.ExecuteNonQueryAsync(cancellationToken) > 0;
    }

    public async Task<IReadOnlyDictionary<string, decimal>> SpendSinceAsync(DateTimeOffset since, CancellationToken cancellationToken)
    {
        // The ledger's table: created by the PostgreSQL request ledger, which may not have written yet.
        await PostgresMigrator.ApplyAsync(_dataSource, "ledger", Ledger.PostgresLedgerSchema.Migrations, cancellationToken);
        await using var command = _dataSource.CreateCommand("""
            SELECT virtual_key_id, sum(cost_usd) FROM requests
            WHERE virtual_key_id IS NOT NULL AND at >= $1 GROUP BY virtual_key_id
            """);
        command.Parameters.Add(new NpgsqlParameter { Value = since });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var spend = new Dictionary<string, decimal>(StringComparer.Ordinal);
        while (await reader.ReadAsync(cancellationToken))
        {
            spend[reader.GetString(0)] = reader.GetDecimal(1);
        }

        return spend;
    }

    public void Dispose() => _schema.Dispose();

}
