using Dispatcher.Grains.Ledger;
using Dispatcher.Silo.Ledger;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit;

namespace Dispatcher.Silo.Tests.Ledger;

/// <summary>The ledger contract on a SQLite file (Embedded mode); SQLite-only behaviour is in <see cref="SqliteRequestLedgerTests"/>.</summary>
public sealed class SqliteRequestLedgerContractTests : RequestLedgerContract
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "dispatcher-ledger-tests", Guid.NewGuid().ToString("N"));

    private string DatabasePath => Path.Combine(_directory, "data", "ledger.db");

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        SqliteConnection.ClearAllPools();
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    private protected override GroupCommitLedger Create(LedgerOptions options) =>
        new SqliteRequestLedger(DatabasePath, options, Time, NullLogger<SqliteRequestLedger>.Instance);

    private protected override async Task<IAsyncDisposable> HoldWriteLockAsync()
    {
        var connection = await OpenAsync();
        var transaction = connection.BeginTransaction(deferred: false); // BEGIN IMMEDIATE: the write lock
        return new WriteLock(connection, transaction);
    }

    private protected override async Task<long> CountAsync(string table)
    {
        await using var connection = await OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT COUNT(*) FROM {table}";
        return (long)(await command.ExecuteScalarAsync())!;
    }

    /// <summary>
    /// A SQLite file does not go away by itself; the nearest thing is a write lock held past the busy timeout (5 s).
    /// The batch that meets it fails at once (no retry: waiting longer would not help), then the lock is released.
    /// </summary>
    private protected override async Task<IReadOnlyList<Task>> RecordDuringOutageAsync(GroupCommitLedger ledger, Func<IReadOnlyList<Task>> record)
    {
        IReadOnlyList<Task> recordings;
        await using (await HoldWriteLockAsync())
        {
            recordings = record();
            await Assert.ThrowsAsync<IOException>(() => recordings[0].WaitAsync(Guard));
        }

        return recordings;
    }

    private async Task<SqliteConnection> OpenAsync()
    {
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder
        {
            DataSource = DatabasePath,
            Mode = SqliteOpenMode.ReadWrite,
            Pooling = false,
        }.ToString());
        await connection.OpenAsync();
        return connection;
    }

    private sealed class WriteLock(SqliteConnection connection, SqliteTransaction transaction) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await transaction.RollbackAsync();
            await transaction.DisposeAsync();
            await connection.DisposeAsync();
        }
    }
}
