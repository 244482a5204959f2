using Dispatcher.Grains.Dispatch;
using Dispatcher.Grains.Ledger;
using Dispatcher.Providers;
using Dispatcher.Silo.Ledger;
using Dispatcher.TestSupport;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit;

namespace Dispatcher.Silo.Tests.Ledger;

public sealed class SqliteRequestLedgerTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "dispatcher-ledger-tests", Guid.NewGuid().ToString("N"));
    private readonly ManualTimeProvider _time = new();

    // A directory that does not exist yet: the ledger creates it.
    private string DatabasePath => Path.Combine(_directory, "data", "ledger.db");

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    [Fact]
    public async Task FindAsync_AfterRecord_RoundTripsEveryField()
    {
        await using var ledger = await StartAsync();
        var served = new RequestRecord("req-1", _time.GetUtcNow().AddMilliseconds(123), "smart", Stream: true, Status: 200,
            "completed", "gpt-fast", "openai", PromptTokens: 17, CompletionTokens: 42, CostUsd: 0.0004250m,
        [
            new AttemptRecord("gpt-big", "anthropic", KeyId: null, FailureKind.BreakerOpen, DispatchAction.NextCandidate,
                StatusCode: 0, LatencyMs: 0, CostUsd: 0m, Detail: "breaker open \"until\" 12:00 — é"),
            new AttemptRecord("gpt-fast", "openai", "key-a1", FailureKind.RateLimited, DispatchAction.RotateKey,
                429, 12.5, 0.0000001m, "429 from upstream"),
            new AttemptRecord("gpt-fast", "openai", "key-b2", FailureKind.None, DispatchAction.Served,
                200, 731.0625, 0.0004249m, Detail: null),
        ]);
        var failed = new RequestRecord("req-2", _time.GetUtcNow(), "gpt-fast", Stream: false, Status: 400, "context_overflow",
            ServedModel: null, Provider: null, 0, 0, 0m,
        [
            new AttemptRecord("gpt-fast", "openai", "key-a1", FailureKind.ContextOverflow, DispatchAction.FailFast,
                400, 3, 0m, "too long"),
        ]);

        await ledger.RecordAsync(served, CancellationToken.None);
        await ledger.RecordAsync(failed, CancellationToken.None);

        AssertSameRecord(served, await ledger.FindAsync("req-1", CancellationToken.None));
        AssertSameRecord(failed, await ledger.FindAsync("req-2", CancellationToken.None));
        Assert.Null(await ledger.FindAsync("req-unknown", CancellationToken.None));
        await using var connection = await OpenAsync();
        Assert.Equal(3L, await ScalarAsync(connection, "SELECT COUNT(*) FROM spend"));
        Assert.Equal("key-a1|0.0000001,key-b2|0.0004249", await ScalarAsync(connection,
            "SELECT group_concat(key_id || '|' || cost_usd, ',') FROM (SELECT * FROM spend WHERE request_id = 'req-1' ORDER BY attempt)"));
    }

    [Fact]
    public async Task FindAsync_EveryFailureKindAndAction_RoundTrips()
    {
        await using var ledger = await StartAsync();
        var kinds = Enum.GetValues<FailureKind>();
        var actions = Enum.GetValues<DispatchAction>();
        var attempts = new AttemptRecord[kinds.Length];
        for (var i = 0; i < kinds.Length; i++)
        {
            attempts[i] = new AttemptRecord("m", "p", $"key-{i}", kinds[i], actions[i % actions.Length], 500, i, i / 1000m, null);
        }

        var record = Record("req-1") with { Attempts = attempts };
        await ledger.RecordAsync(record, CancellationToken.None);

        AssertSameRecord(record, await ledger.FindAsync("req-1", CancellationToken.None));
    }

    [Fact]
    public async Task RecordAsync_Acknowledged_CompletesOnlyOnceTheRowIsCommitted()
    {
        await using var ledger = await StartAsync();
        await using var other = await OpenAsync();

        // Another connection holds the write lock: the writer cannot commit, so the caller must still be waiting.
        await using (var blocking = other.BeginTransaction(deferred: false))
        {
            var recording = ledger.RecordAsync(Record("req-1"), CancellationToken.None).AsTask();
            Assert.False(recording.IsCompleted);
            Assert.Equal(0L, await ScalarAsync(other, "SELECT COUNT(*) FROM requests", blocking));
            blocking.Rollback();
            await recording;
        }

        Assert.Equal(1L, await ScalarAsync(other, "SELECT COUNT(*) FROM requests WHERE request_id = 'req-1'"));
    }

    [Fact]
    public async Task RecordAsync_Async_CompletesAtOnceAndStopFlushes()
    {
        await using var ledger = await StartAsync(new LedgerOptions { Durability = "Async" });

        // Completed on return, before any write: the caller does not wait for the store.
        for (var i = 0; i < 50; i++)
        {
            Assert.True(ledger.RecordAsync(Record($"req-{i}"), CancellationToken.None).AsTask().IsCompletedSuccessfully);
        }

        await ledger.StopAsync(CancellationToken.None);

        await using var connection = await OpenAsync();
        Assert.Equal(50L, await ScalarAsync(connection, "SELECT COUNT(*) FROM requests"));
        Assert.NotNull(await ledger.FindAsync("req-49", CancellationToken.None));
    }

    [Fact]
    public async Task RecordAsync_ManyConcurrentCallers_AllLandInFewTransactions()
    {
        const int Rows = 2000;
        await using var ledger = await StartAsync();
        await using var other = await OpenAsync();

        // Hold the write lock while the callers queue, so that grouping does not depend on thread timing.
        var blocking = other.BeginTransaction(deferred: false);
        var recordings = new Task[Rows];
        for (var i = 0; i < Rows; i++)
        {
            recordings[i] = ledger.RecordAsync(Record($"req-{i}"), CancellationToken.None).AsTask();
        }

        blocking.Rollback();
        blocking.Dispose();
        await Task.WhenAll(recordings);

        Assert.Equal((long)Rows, await ScalarAsync(other, "SELECT COUNT(*) FROM requests"));
        Assert.Equal((long)Rows, await ScalarAsync(other, "SELECT COUNT(*) FROM spend"));

        // At most one batch taken before the lock was seen, then full batches of 512.
        Assert.InRange(ledger.CommittedBatches, 4, 5);
    }

    [Fact]
    public async Task RecordAsync_QueueFull_WaitsAndDropsNothing()
    {
        const int Rows = SqliteRequestLedger.QueueCapacity + 1000;
        await using var ledger = await StartAsync(new LedgerOptions { Durability = "Async" });
        await using var other = await OpenAsync();

        // The writer is stuck behind the lock with at most one batch taken: the queue fills and later callers wait.
        var blocking = other.BeginTransaction(deferred: false);
        var recordings = new Task[Rows];
        for (var i = 0; i < Rows; i++)
        {
            recordings[i] = ledger.RecordAsync(Record($"req-{i}"), CancellationToken.None).AsTask();
        }

        Assert.False(recordings[^1].IsCompleted);
        blocking.Rollback();
        blocking.Dispose();
        await Task.WhenAll(recordings);
        await ledger.StopAsync(CancellationToken.None);

        Assert.Equal((long)Rows, await ScalarAsync(other, "SELECT COUNT(*) FROM requests"));
    }

    [Fact]
    public async Task StartAsync_OnExistingFile_KeepsRowsAndMigratesOnce()
    {
        await using (var first = await StartAsync())
        {
            await first.RecordAsync(Record("req-1"), CancellationToken.None);
        }

        await using (var second = await StartAsync())
        {
            Assert.NotNull(await second.FindAsync("req-1", CancellationToken.None));
            await second.RecordAsync(Record("req-2"), CancellationToken.None);
        }

        await using var connection = await OpenAsync();
        Assert.Equal("1,2", await ScalarAsync(connection, "SELECT group_concat(version) FROM schema_version"));
        Assert.Equal("wal", await ScalarAsync(connection, "PRAGMA journal_mode"));
        Assert.Equal(2L, await ScalarAsync(connection, "SELECT COUNT(*) FROM requests"));
    }

    [Fact]
    public async Task Retention_AfterAnHour_DeletesRowsOlderThanRetention()
    {
        await using var ledger = await StartAsync(new LedgerOptions { Retention = TimeSpan.FromDays(30) });
        var now = _time.GetUtcNow();
        await ledger.RecordAsync(Record("req-old", now - TimeSpan.FromDays(30) + TimeSpan.FromMinutes(30)), CancellationToken.None);
        await ledger.RecordAsync(Record("req-recent", now - TimeSpan.FromDays(29)), CancellationToken.None);

        // Not yet an hour since the sweep at start: the row, 29.5 days old, is within retention anyway.
        _time.Advance(TimeSpan.FromMinutes(59));
        await ledger.RecordAsync(Record("req-probe-1"), CancellationToken.None);
        Assert.NotNull(await ledger.FindAsync("req-old", CancellationToken.None));

        // The hourly sweep runs before any row queued after it is acknowledged; req-old is now 30 days and 29 minutes old.
        _time.Advance(TimeSpan.FromMinutes(1));
        await ledger.RecordAsync(Record("req-probe-2"), CancellationToken.None);

        Assert.Null(await ledger.FindAsync("req-old", CancellationToken.None));
        Assert.NotNull(await ledger.FindAsync("req-recent", CancellationToken.None));
        await using var connection = await OpenAsync();
        Assert.Equal(0L, await ScalarAsync(connection, "SELECT COUNT(*) FROM spend WHERE request_id = 'req-old'"));
        Assert.Equal(3L, await ScalarAsync(connection, "SELECT COUNT(*) FROM spend"));
    }

    [Fact]
    public async Task RecordAsync_WriteFails_FailsTheCallerAndKeepsWriting()
    {
        await using var ledger = await StartAsync();
        await using (var connection = await OpenAsync())
        {
            // Root ignores read-only directories, so the failure is injected in SQLite itself: the insert aborts.
            await ExecuteAsync(connection, """
                CREATE TRIGGER poison BEFORE INSERT ON requests WHEN NEW.route = 'poison'
                BEGIN SELECT RAISE(ABORT, 'poisoned row'); END;
                """);
        }

        var failure = await Assert.ThrowsAsync<IOException>(
            () => ledger.RecordAsync(Record("req-bad") with { Route = "poison" }, CancellationToken.None).AsTask());
        var cause = Assert.IsType<SqliteException>(failure.InnerException);
        Assert.Contains("poisoned row", cause.Message, StringComparison.Ordinal);

        await ledger.RecordAsync(Record("req-good"), CancellationToken.None);

        Assert.Null(await ledger.FindAsync("req-bad", CancellationToken.None));
        Assert.NotNull(await ledger.FindAsync("req-good", CancellationToken.None));
    }

    [Fact]
    public async Task RecordAsync_WriteLockHeldPastBusyTimeout_FailsTheCallerAndKeepsWriting()
    {
        await using var ledger = await StartAsync();
        await using var other = await OpenAsync();

        // Lets the start-up retention sweep run first, so that only the row waits out the lock below (5 s).
        await ledger.RecordAsync(Record("req-before"), CancellationToken.None);
        await using (other.BeginTransaction(deferred: false))
        {
            var failure = await Assert.ThrowsAsync<IOException>(
                () => ledger.RecordAsync(Record("req-locked"), CancellationToken.None).AsTask());
            Assert.IsType<SqliteException>(failure.InnerException);
        }

        await ledger.RecordAsync(Record("req-after"), CancellationToken.None);
        Assert.Null(await ledger.FindAsync("req-locked", CancellationToken.None));
        Assert.NotNull(await ledger.FindAsync("req-after", CancellationToken.None));
    }

    private async Task<SqliteRequestLedger> StartAsync(LedgerOptions? options = null)
    {
        var ledger = new SqliteRequestLedger(DatabasePath, options ?? new LedgerOptions(), _time, NullLogger<SqliteRequestLedger>.Instance);
        await ledger.StartAsync(CancellationToken.None);
        return ledger;
    }

    private RequestRecord Record(string requestId, DateTimeOffset? at = null) =>
        new(requestId, at ?? _time.GetUtcNow(), "gpt-fast", Stream: false, Status: 200, "completed", "gpt-fast", "openai",
            10, 20, 0.001m, [new AttemptRecord("gpt-fast", "openai", "key-a1", FailureKind.None, DispatchAction.Served, 200, 5, 0.001m, null)]);

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

    private static async Task<object?> ScalarAsync(SqliteConnection connection, string sql, SqliteTransaction? transaction = null)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Transaction = transaction;
        return await command.ExecuteScalarAsync();
    }

    private static async Task ExecuteAsync(SqliteConnection connection, string sql)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync();
    }

    private static void AssertSameRecord(RequestRecord expected, RequestRecord? actual)
    {
        Assert.NotNull(actual);
        Assert.Equal(expected.Attempts, actual.Attempts);
        Assert.Equal(expected with { Attempts = actual.Attempts }, actual);
        Assert.Equal(expected.CostUsd.ToString(System.Globalization.CultureInfo.InvariantCulture),
            actual.CostUsd.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }
}
