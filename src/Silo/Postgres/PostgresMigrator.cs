using Npgsql;

namespace Dispatcher.Silo.Postgres;

/// <summary>
/// Creates and migrates the cluster's tables at start. Each component (authority, ledger, pins…) keeps its own list
/// of migrations and its own version row in <c>dispatcher_schema</c>; migration <c>i</c> brings the component to
/// version <c>i + 1</c>. Nodes starting at once serialize on a transaction-scoped advisory lock, so every migration
/// runs exactly once, in the same transaction that records its version.
/// </summary>
internal static class PostgresMigrator
{
    // An arbitrary constant: the one advisory lock every Dispatcher node takes while migrating.
    private const long MigrationLock = 0x44697370_61746368; // "Dispatch"

    /// <summary>Applies what is missing of <paramref name="migrations"/>; returns the versions before and after.</summary>
    public static async Task<(int From, int To)> ApplyAsync(NpgsqlDataSource dataSource, string component,
        IReadOnlyList<string> migrations, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(dataSource);
        ArgumentException.ThrowIfNullOrEmpty(component);
        ArgumentNullException.ThrowIfNull(migrations);
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await ExecuteAsync(connection, transaction, $"SELECT pg_advisory_xact_lock({MigrationLock})", cancellationToken);
        await ExecuteAsync(connection, transaction, """
            CREATE TABLE IF NOT EXISTS dispatcher_schema (
                component text PRIMARY KEY,
                version integer NOT NULL,
                migrated_at timestamptz NOT NULL DEFAULT now())
            """, cancellationToken);

        int from;
        await using (var read = new NpgsqlCommand("SELECT version FROM dispatcher_schema WHERE component = $1", connection, transaction))
        {
            read.Parameters.Add(new NpgsqlParameter { Value = component });
            from = await read.ExecuteScalarAsync(cancellationToken) is int version ? version : 0;
        }

        if (from > migrations.Count)
        {
            throw new InvalidOperationException(
                $"The database's '{component}' schema is at version {from}, newer than this build's {migrations.Count}: upgrade this node.");
        }

        for (var i = from; i < migrations.Count; i++)
        {
            await ExecuteAsync(connection, transaction, migrations[i], cancellationToken);
        }

        if (from < migrations.Count)
        {
            await using var write = new NpgsqlCommand("""
                INSERT INTO dispatcher_schema (component, version) VALUES ($1, $2)
                ON CONFLICT (component) DO UPDATE SET version = excluded.version, migrated_at = now()
                """, connection, transaction);
            write.Parameters.Add(new NpgsqlParameter { Value = component });
            write.Parameters.Add(new NpgsqlParameter { Value = migrations.Count });
            await write.ExecuteNonQueryAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
        return (from, migrations.Count);
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string sql,
        CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection, transaction);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
