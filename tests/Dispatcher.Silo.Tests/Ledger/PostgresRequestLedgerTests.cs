using System.Diagnostics;
using Dispatcher.Grains.Dispatch;
using Dispatcher.Grains.Ledger;
using Dispatcher.Providers;
using Dispatcher.Silo.Ledger;
using Dispatcher.TestSupport;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using Xunit;

namespace Dispatcher.Silo.Tests.Ledger;

/// <summary>
/// The ledger contract on a real PostgreSQL (a database of its own per test), plus what only a server can do: go
/// away and come back. The ledger reaches the server through a <see cref="TcpOutageProxy"/> that the test can cut.
/// </summary>
public sealed class PostgresRequestLedgerTests : RequestLedgerContract
{
    private string _connectionString = "";
    private TcpOutageProxy? _proxy;
    private NpgsqlDataSource? _dataSource;

    private TcpOutageProxy Proxy => _proxy!;

    public override async Task InitializeAsync()
    {
        _connectionString = await PostgresTestServer.CreateDatabaseAsync("ledger");
        var direct = new NpgsqlConnectionStringBuilder(_connectionString);
        _proxy = TcpOutageProxy.Start(direct.Host!, direct.Port);
        _dataSource = NpgsqlDataSource.Create(new NpgsqlConnectionStringBuilder(_connectionString) { Port = _proxy.Port });
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        await _dataSource!.DisposeAsync();
        await _proxy!.DisposeAsync();
    }

    [Fact]
    public async Task RecordAsync_OutageLongerThanTheCallersBound_FailsTheCallerAndStoresTheRowLater()
    {
        var ledger = await StartAsync();
        await ledger.RecordAsync(Record("req-before"), CancellationToken.None);
        Proxy.Cut();
        var late = ledger.RecordAsync(Record("req-late"), CancellationToken.None).AsTask();

        // Walk the ledger's clock through its retries, one at a time, until the caller has waited its 10 s.
        var retry = 0;
        for (var waited = TimeSpan.Zero; waited < GroupCommitLedger.MaxAcknowledgeWait; retry++)
        {
            await NextRetryAsync(retry);
            waited += GroupCommitLedger.RetryDelay(retry);
        }

        var failure = await Assert.ThrowsAsync<IOException>(() => late.WaitAsync(Guard));
        Assert.Contains("'req-late'", failure.Message, StringComparison.Ordinal);
        Assert.Contains("within 10 s", failure.Message, StringComparison.Ordinal);

        // The row was never dropped: once the retry after that one has failed too, the server comes back, and the
        // next retry stores it.
        var delay = GroupCommitLedger.RetryDelay(retry);
        await Time.WaitForTimerAsync(delay, CancellationToken.None).WaitAsync(Guard);
        Proxy.Restore();
        Time.Advance(delay);
        await ledger.WaitForCommittedBatchesAsync(2, CancellationToken.None).WaitAsync(Guard);
        Assert.NotNull(await ledger.FindAsync("req-late", CancellationToken.None));
    }

    [Fact]
    public async Task RecordAsync_BackendTerminated_RetriesOnANewConnection()
    {
        var ledger = await StartAsync();
        await ledger.RecordAsync(Record("req-before"), CancellationToken.None);
        await using (var admin = await OpenAsync())
        await using (var terminate = new NpgsqlCommand("""
            WITH others AS MATERIALIZED (
                SELECT pid FROM pg_stat_activity
                WHERE datname = current_database() AND pid <> pg_backend_pid() AND backend_type = 'client backend')
            SELECT count(*) FILTER (WHERE pg_terminate_backend(pid, 10000)) FROM others
            """, admin))
        {
            // The ledger's connections (the writer's among them), each gone when this returns.
            Assert.True((long)(await terminate.ExecuteScalarAsync())! >= 1);
        }

        var recording = ledger.RecordAsync(Record("req-1"), CancellationToken.None).AsTask();

        // The batch fails on the dead connection (57P01 or a closed socket: both mean "unreachable for now")...
        await NextRetryAsync(0);
        // ...and goes through on a new one.
        await recording.WaitAsync(Guard);
        Assert.NotNull(await ledger.FindAsync("req-1", CancellationToken.None));
        Assert.Equal(2, await CountAsync("requests"));
    }

    [Fact]
    public async Task StopAsync_ServerAwayWhenTheHostGivesUp_FailsTheWaitingCallers()
    {
        var ledger = await StartAsync();
        await ledger.RecordAsync(Record("req-before"), CancellationToken.None);
        Proxy.Cut();
        var recording = ledger.RecordAsync(Record("req-1"), CancellationToken.None).AsTask();
        await Time.WaitForTimerAsync(GroupCommitLedger.RetryDelay(0), CancellationToken.None).WaitAsync(Guard);

        // Graceful stop waits for the server while the host lets it; when the host's timeout fires, it gives up.
        using var hostTimeout = new CancellationTokenSource();
        var stopping = ledger.StopAsync(hostTimeout.Token);
        Assert.False(stopping.IsCompleted);
        await hostTimeout.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => stopping);
        var failure = await Assert.ThrowsAsync<IOException>(() => recording.WaitAsync(Guard));
        Assert.Contains("stopped before", failure.Message, StringComparison.Ordinal);
        Assert.Contains("'req-1'", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RecordAsync_ManyConcurrentCallers_OneRoundTripPerBatch()
    {
        const int Rows = 2000;
        var database = new NpgsqlConnectionStringBuilder(_connectionString).Database;
        var inserts = 0;
        // Npgsql traces each round trip (a command, or a batch of commands) as one activity: count the ledger's inserts.
        using var listener = new ActivityListener
        {
            ShouldListenTo = static source => source.Name == "Npgsql",
            Sample = static (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllData,
            ActivityStopped = activity =>
            {
                if (Equals(activity.GetTagItem("db.namespace"), database)
                    && activity.GetTagItem("db.query.text") is string query && query.Contains("INSERT INTO requests", StringComparison.Ordinal))
                {
                    Interlocked.Increment(ref inserts);
                }
            },
        };
        ActivitySource.AddActivityListener(listener);
        var ledger = await StartAsync();
        var recordings = new Task[Rows];
        await using (await HoldWriteLockAsync())
        {
            for (var i = 0; i < Rows; i++)
            {
                recordings[i] = ledger.RecordAsync(Record($"req-{i}"), CancellationToken.None).AsTask();
            }
        }

        await Task.WhenAll(recordings).WaitAsync(Guard);

        Assert.InRange(ledger.CommittedBatches, 4, 5);
        Assert.Equal(ledger.CommittedBatches, Volatile.Read(ref inserts));
        Assert.Equal(Rows, await CountAsync("spend"));
    }

    [Fact]
    public async Task StartAsync_ServerAway_StartsAndMigratesOnceItAnswers()
    {
        Proxy.Cut();
        var ledger = await StartAsync(); // does not fail the node: /readyz already says it is not ready
        var recording = ledger.RecordAsync(Record("req-1"), CancellationToken.None).AsTask();
        await Time.WaitForTimerAsync(GroupCommitLedger.RetryDelay(0), CancellationToken.None).WaitAsync(Guard);
        Assert.False(recording.IsCompleted);

        Proxy.Restore();
        Time.Advance(GroupCommitLedger.RetryDelay(0));

        await recording.WaitAsync(Guard);
        Assert.NotNull(await ledger.FindAsync("req-1", CancellationToken.None));
    }

    [Fact]
    public async Task StartAsync_TwoNodesAtOnce_MigrateOnceIntoPostgresTypes()
    {
        await Task.WhenAll(StartAsync(), StartAsync());

        await using var connection = await OpenAsync();
        Assert.Equal(2, await ScalarAsync(connection, "SELECT version FROM dispatcher_schema WHERE component = 'ledger'"));
        Assert.Equal("numeric,jsonb,timestamp with time zone", await ScalarAsync(connection, """
            SELECT string_agg(data_type, ',' ORDER BY column_name DESC) FROM information_schema.columns
            WHERE table_name = 'requests' AND column_name IN ('at', 'cost_usd', 'attempts')
            """));
    }

    [Fact]
    public async Task RecordAsync_TextPostgresRefuses_IsStoredWithReplacementsAndSparesTheBatch()
    {
        var ledger = await StartAsync();
        await ledger.RecordAsync(Record("req-before"), CancellationToken.None);
        var odd = Record("req-odd") with
        {
            Route = "gpt\0fast",
            Attempts = [new AttemptRecord("gpt-fast", "openai", "key-a1", FailureKind.ServerError, DispatchAction.NextCandidate,
                500, 5, 0m, "upstream said \ud800\0")],
        };

        Task[] recordings;
        await using (await HoldWriteLockAsync())
        {
            recordings = [ledger.RecordAsync(odd, CancellationToken.None).AsTask(), ledger.RecordAsync(Record("req-even"), CancellationToken.None).AsTask()];
        }

        await Task.WhenAll(recordings).WaitAsync(Guard);
        var stored = await ledger.FindAsync("req-odd", CancellationToken.None);
        Assert.Equal("gpt\uFFFDfast", stored!.Route);
        Assert.Equal("upstream said \uFFFD\uFFFD", stored.Attempts[0].Detail);
        Assert.NotNull(await ledger.FindAsync("req-even", CancellationToken.None));
    }

    private protected override GroupCommitLedger Create(LedgerOptions options) =>
        new PostgresRequestLedger(_dataSource!, options, Time, NullLogger<PostgresRequestLedger>.Instance);

    private protected override async Task<IAsyncDisposable> HoldWriteLockAsync()
    {
        var connection = await OpenAsync();
        var transaction = await connection.BeginTransactionAsync();
        await using (var command = new NpgsqlCommand("LOCK TABLE requests IN EXCLUSIVE MODE", connection, transaction))
        {
            await command.ExecuteNonQueryAsync(); // reads go on; inserts and deletes wait
        }

        return new WriteLock(connection, transaction);
    }

    private protected override async Task<long> CountAsync(string table)
    {
        await using var connection = await OpenAsync();
        return (long)(await ScalarAsync(connection, $"SELECT count(*) FROM {table}"))!;
    }

    /// <summary>The server goes away while the rows arrive, and comes back after the ledger's first retry delay.</summary>
    private protected override async Task<IReadOnlyList<Task>> RecordDuringOutageAsync(GroupCommitLedger ledger, Func<IReadOnlyList<Task>> record)
    {
        Proxy.Cut();
        var recordings = record();
        await Time.WaitForTimerAsync(GroupCommitLedger.RetryDelay(0), CancellationToken.None).WaitAsync(Guard);
        Assert.All(recordings, static recording => Assert.False(recording.IsCompleted));
        Proxy.Restore();
        Time.Advance(GroupCommitLedger.RetryDelay(0));
        return recordings;
    }

    private async Task NextRetryAsync(int retry)
    {
        var delay = GroupCommitLedger.RetryDelay(retry);
        await Time.WaitForTimerAsync(delay, CancellationToken.None).WaitAsync(Guard);
        Time.Advance(delay);
    }

    // Straight to the server, not through the proxy.
    private async Task<NpgsqlConnection> OpenAsync()
    {
        var connection = new NpgsqlConnection(_connectionString);
        await connection.OpenAsync();
        return connection;
    }

    private static async Task<object?> ScalarAsync(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        return await command.ExecuteScalarAsync();
    }

    private sealed class WriteLock(NpgsqlConnection connection, NpgsqlTransaction transaction) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await transaction.RollbackAsync();
            await transaction.DisposeAsync();
            await connection.DisposeAsync();
        }
    }
}
