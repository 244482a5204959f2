using Microsoft.Data.Sqlite;

namespace Dispatcher.Silo.Ledger;

/// <summary>
/// The ledger's tables and their migrations. A migration runs once, in a write transaction that also records its
/// version, so that applying the schema again (a restart, or two processes starting on one file) does nothing.
/// </summary>
internal static class SqliteLedgerSchema
{
    /// <summary>Migration <c>i</c> brings the file to version <c>i + 1</c>. Append; never edit a shipped one.</summary>
    private static readonly string[] Migrations =
    [
        """
        CREATE TABLE IF NOT EXISTS requests (
            request_id TEXT PRIMARY KEY NOT NULL,
            at_unix_ms INTEGER NOT NULL,
            route TEXT NOT NULL,
            stream INTEGER NOT NULL,
            status INTEGER NOT NULL,
            outcome TEXT NOT NULL,
            served_model TEXT,
            provider TEXT,
            prompt_tokens INTEGER NOT NULL,
            completion_tokens INTEGER NOT NULL,
            cost_usd TEXT NOT NULL,
            attempts TEXT NOT NULL);
        CREATE INDEX IF NOT EXISTS ix_requests_at ON requests (at_unix_ms);
        CREATE TABLE IF NOT EXISTS spend (
            request_id TEXT NOT NULL,
            attempt INTEGER NOT NULL,
            at_unix_ms INTEGER NOT NULL,
            model TEXT NOT NULL,
            provider TEXT NOT NULL,
            key_id TEXT NOT NULL,
            cost_usd TEXT NOT NULL,
            PRIMARY KEY (request_id, attempt));
        CREATE INDEX IF NOT EXISTS ix_spend_at ON spend (at_unix_ms);
        """,
        """
        ALTER TABLE requests ADD COLUMN virtual_key_id TEXT;
        CREATE INDEX IF NOT EXISTS ix_requests_key_at ON requests (virtual_key_id, at_unix_ms) WHERE virtual_key_id IS NOT NULL;
        CREATE TABLE IF NOT EXISTS virtual_keys (
            id TEXT PRIMARY KEY NOT NULL,
            name TEXT NOT NULL,
            secret_sha256 BLOB NOT NULL UNIQUE,
            routes TEXT NOT NULL,
            models TEXT NOT NULL,
            rpm INTEGER,
            monthly_budget_usd TEXT,
            strict INTEGER NOT NULL,
            created_unix_ms INTEGER NOT NULL);
        """,
    ];

    /// <summary>The version this build writes.</summary>
    public static int CurrentVersion => Migrations.Length;

    /// <summary>Sets the per-connection pragmas every ledger connection uses.</summary>
    public static void ConfigureConnection(SqliteConnection connection)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA busy_timeout = 5000; PRAGMA synchronous = NORMAL;";
        command.ExecuteNonQuery();
    }

    /// <summary>Switches the file to WAL and applies the migrations it lacks.</summary>
    /// <returns>The version the file had before, and the version it has now.</returns>
    /// <exception cref="InvalidOperationException">The file was written by a newer build.</exception>
    public static (int From, int To) Apply(SqliteConnection connection)
    {
        using (var wal = connection.CreateCommand())
        {
            // Persistent in the file; needs no transaction, so it is set before the migration's.
            wal.CommandText = "PRAGMA journal_mode = WAL;";
            wal.ExecuteNonQuery();
        }

        // BEGIN IMMEDIATE: a second process starting on the same file waits here instead of migrating twice.
        using var transaction = connection.BeginTransaction(deferred: false);
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = """
            CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL);
            SELECT COALESCE(MAX(version), 0) FROM schema_version;
            """;
        var from = Convert.ToInt32(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
        if (from > CurrentVersion)
        {
            throw new InvalidOperationException(
                $"The ledger file has schema version {from}, newer than the {CurrentVersion} this build knows.");
        }

        for (var version = from + 1; version <= CurrentVersion; version++)
        {
            command.CommandText = Migrations[version - 1];
            command.ExecuteNonQuery();
            command.CommandText = "INSERT INTO schema_version (version) VALUES ($version);";
            command.Parameters.Clear();
            command.Parameters.AddWithValue("$version", version);
            command.ExecuteNonQuery();
            command.Parameters.Clear();
        }

        transaction.Commit();
        return (from, CurrentVersion);
    }
}
