using Dispatcher.Grains.Ledger;
using Microsoft.Data.Sqlite;

namespace Dispatcher.Silo.Ledger;

/// <summary>
/// The Embedded mode's store: one SQLite file in WAL mode, one write connection kept open by the writer loop (its
/// statements prepared once), pooled read connections for lookups. Every failure is final for its batch: a lock
/// has already been waited for by SQLite's busy timeout (5 s), and a local file does not come back by waiting.
/// </summary>
internal sealed class SqliteLedgerStore : ILedgerStore
{
    private readonly string _databasePath;
    private readonly string _writeConnectionString;
    private readonly string _readConnectionString;
    private SqliteLedgerWriter? _writer;

    public SqliteLedgerStore(string databasePath)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(databasePath);
        _databasePath = Path.GetFullPath(databasePath);
        // SQLite's busy_timeout (5 s, set per connection) does the waiting on a lock; Microsoft.Data.Sqlite's own
        // busy retry runs until DefaultTimeout after that, so a short one keeps the total near 5 s rather than 10.
        var builder = new SqliteConnectionStringBuilder { DataSource = _databasePath, DefaultTimeout = 1 };
        builder.Mode = SqliteOpenMode.ReadWriteCreate;
        builder.Pooling = false; // the writer's connection lives as long as the ledger
        _writeConnectionString = builder.ToString();
        builder.Mode = SqliteOpenMode.ReadWrite;
        builder.Pooling = true;
        _readConnectionString = builder.ToString();
    }

    public string Description => _databasePath;

    /// <summary>Creates the file and its directory if missing and migrates the schema.</summary>
    public Task<(int From, int To)> MigrateAsync(CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(_databasePath)!);
        using var connection = new SqliteConnection(_writeConnectionString);
        connection.Open();
        SqliteLedgerSchema.ConfigureConnection(connection);
        var versions = SqliteLedgerSchema.Apply(connection);
        _writer = SqliteLedgerWriter.Open(_writeConnectionString);
        return Task.FromResult(versions);
    }

    public Task WriteBatchAsync(IReadOnlyList<RequestRecord> rows, CancellationToken cancellationToken)
    {
        try
        {
            // After a failure the connection is reopened: a broken handle must not fail every later batch.
            _writer ??= SqliteLedgerWriter.Open(_writeConnectionString);
            _writer.Begin();
            for (var i = 0; i < rows.Count; i++)
            {
                _writer.Add(rows[i]);
            }

            _writer.Commit();
            return Task.CompletedTask;
        }
        catch
        {
            DiscardWriter();
            throw;
        }
    }

    public Task<(int Requests, int Spend)> DeleteOlderThanAsync(DateTimeOffset cutoff, CancellationToken cancellationToken)
    {
        try
        {
            _writer ??= SqliteLedgerWriter.Open(_writeConnectionString);
            return Task.FromResult(_writer.DeleteOlderThan(cutoff));
        }
        catch
        {
            DiscardWriter();
            throw;
        }
    }

    public async Task<RequestRecord?> FindAsync(string requestId, CancellationToken cancellationToken)
    {
        await using var connection = new SqliteConnection(_readConnectionString);
        await connection.OpenAsync(cancellationToken);
        SqliteLedgerSchema.ConfigureConnection(connection);
        return await SqliteLedgerReader.FindAsync(connection, requestId, cancellationToken);
    }

    public bool IsTransient(Exception exception) => false;

    public ValueTask DisposeAsync()
    {
        _writer?.Dispose();
        _writer = null;
        using var connection = new SqliteConnection(_readConnectionString);
        SqliteConnection.ClearPool(connection);
        return ValueTask.CompletedTask;
    }

    private void DiscardWriter()
    {
        try
        {
            _writer?.Rollback();
        }
        catch (SqliteException)
        {
            // The connection is going away; what matters is that the transaction does not survive it.
        }

        _writer?.Dispose();
        _writer = null;
    }
}
