using System.Globalization;
using Dispatcher.Grains.Keys;
using Dispatcher.Silo.Ledger;
using Microsoft.Data.Sqlite;

namespace Dispatcher.Silo.Keys;

/// <summary>
/// Virtual keys in the node's SQLite file (Embedded mode), next to the request ledger whose rows give each key's
/// spend. Used at start-up and by key management only: requests are authenticated from memory.
/// </summary>
internal sealed class SqliteVirtualKeyStore : IVirtualKeyStore
{
    private const char ListSeparator = '\n';
    private readonly string _databasePath;
    private readonly string _connectionString;
    private int _migrated;

    public SqliteVirtualKeyStore(string databasePath)
    {
        _databasePath = databasePath;
        _connectionString = new SqliteConnectionStringBuilder { DataSource = databasePath, DefaultTimeout = 5 }.ToString();
    }

    public async Task<IReadOnlyList<VirtualKey>> LoadAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = """
            SELECT id, name, secret_sha256, routes, models, rpm, monthly_budget_usd, strict, created_unix_ms
            FROM virtual_keys ORDER BY created_unix_ms, id;
            """;
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var keys = new List<VirtualKey>();
        while (await reader.ReadAsync(cancellationToken))
        {
            keys.Add(new VirtualKey(
                reader.GetString(0),
                reader.GetString(1),
                (byte[])reader.GetValue(2),
                Split(reader.GetString(3)),
                Split(reader.GetString(4)),
                reader.IsDBNull(5) ? null : reader.GetInt32(5),
                reader.IsDBNull(6) ? null : SqliteLedgerReader.ParseDecimal(reader.GetString(6)),
                reader.GetInt64(7) != 0,
                DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(8))));
        }

        return keys;
    }

    public async Task AddAsync(VirtualKey key, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(key);
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = """
            INSERT INTO virtual_keys (id, name, secret_sha256, routes, models, rpm, monthly_budget_usd, strict, created_unix_ms)
            VALUES ($id, $name, $hash, $routes, $models, $rpm, $budget, $strict, $created);
            """;
        command.Parameters.AddWithValue("$id", key.Id);
        command.Parameters.AddWithValue("$name", key.Name);
        command.Parameters.AddWithValue("$hash", key.SecretHash);
        command.Parameters.AddWithValue("$routes", string.Join(ListSeparator, key.Routes));
        command.Parameters.AddWithValue("$models", string.Join(ListSeparator, key.Models));
        command.Parameters.AddWithValue("$rpm", (object?)key.Rpm ?? DBNull.Value);
        command.Parameters.AddWithValue("$budget", (object?)key.MonthlyBudgetUsd?.ToString(CultureInfo.InvariantCulture) ?? DBNull.Value);
        command.Parameters.AddWithValue("$strict", key.Strict ? 1L : 0L);
        command.Parameters.AddWithValue("$created", key.CreatedAt.ToUnixTimeMilliseconds());
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task<bool> DeleteAsync(string id, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "DELETE FROM virtual_keys WHERE id = $id;";
        command.Parameters.AddWithValue("$id", id);
        return await command.ExecuteNonQueryAsync(cancellationToken) > 0;
    }

    public async Task<IReadOnlyDictionary<string, decimal>> SpendSinceAsync(DateTimeOffset since, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();

        // Costs are stored as decimal text (SQLite has no decimal type): summed here, exactly, not by SUM().
        command.CommandText = "SELECT virtual_key_id, cost_usd FROM requests WHERE virtual_key_id IS NOT NULL AND at_unix_ms >= $since;";
        command.Parameters.AddWithValue("$since", since.ToUnixTimeMilliseconds());
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var spend = new Dictionary<string, decimal>(StringComparer.Ordinal);
        while (await reader.ReadAsync(cancellationToken))
        {
            var id = reader.GetString(0);
            spend[id] = spend.GetValueOrDefault(id) + SqliteLedgerReader.ParseDecimal(reader.GetString(1));
        }

        return spend;
    }

    private async Task<SqliteConnection> OpenAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(_connectionString);
        try
        {
            if (Volatile.Read(ref _migrated) == 0)
            {
                // The ledger migrates the same file at start; whoever comes first does it, the other finds it done.
                Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(_databasePath))!);
            }

            await connection.OpenAsync(cancellationToken);
            SqliteLedgerSchema.ConfigureConnection(connection);
            if (Interlocked.Exchange(ref _migrated, 1) == 0)
            {
                SqliteLedgerSchema.Apply(connection);
            }

            return connection;
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    private static string[] Split(string joined) => joined.Length == 0 ? [] : joined.Split(ListSeparator);
}
