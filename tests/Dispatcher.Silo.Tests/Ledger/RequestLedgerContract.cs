using Dispatcher.Grains.Dispatch;
using Dispatcher.Grains.Ledger;
using Dispatcher.Providers;
using Dispatcher.Silo.Ledger;
using Dispatcher.TestSupport;
using Xunit;

namespace Dispatcher.Silo.Tests.Ledger;

/// <summary>
/// What every request ledger store must do, run against SQLite and PostgreSQL alike: a subclass says how to make a
/// ledger on a fresh store, how to hold the store's write lock, how to count rows and how to take the store away.
/// </summary>
public abstract class RequestLedgerContract : IAsyncLifetime
{
    // A guard against a hang, not a wait for state: every await below completes on a signal long before it.
    private protected static readonly TimeSpan Guard = TimeSpan.FromSeconds(60);

    private readonly List<GroupCommitLedger> _ledgers = [];

    private protected ManualTimeProvider Time { get; } = new();

    public virtual Task InitializeAsync() => Task.CompletedTask;

    public virtual async Task DisposeAsync()
    {
        foreach (var ledger in _ledgers)
        {
            await ledger.DisposeAsync();
        }
    }

    [Fact]
    public async Task FindAsync_AfterAcknowledgedRecord_ReturnsTheWholeTrail()
    {
        var ledger = await StartAsync();
        var served = new RequestRecord("req-1", Time.GetUtcNow().AddMilliseconds(123), "smart", Stream: true, Status: 200,
            "completed", "gpt-fast", "openai", PromptTokens: 17, CompletionTokens: 42, CostUsd: 0.0004250m,
        [
            new AttemptRecord("gpt-big", "anthropic", KeyId: null, FailureKind.BreakerOpen, DispatchAction.NextCandidate,
                StatusCode: 0, LatencyMs: 0, CostUsd: 0m, Detail: "breaker open \"until\" 12:00 — é"),
            new AttemptRecord("gpt-fast", "openai", "key-a1", FailureKind.RateLimited, DispatchAction.RotateKey,
                429, 12.5, 0.0000001m, "429 from upstream"),
            new AttemptRecord("gpt-fast", "openai", "key-b2", FailureKind.None, DispatchAction.Served,
                200, 731.0625, 0.0004249m, Detail: null),
        ]) { VirtualKeyId = "vk-team-a" };

        await ledger.RecordAsync(served, CancellationToken.None);

        AssertSameRecord(served, await ledger.FindAsync("req-1", CancellationToken.None));
        Assert.Null(await ledger.FindAsync("req-unknown", CancellationToken.None));
        Assert.Equal(1, await CountAsync("requests"));
        Assert.Equal(2, await CountAsync("spend")); // one per upstream call: the skipped candidate has no key
    }

    [Fact]
    public async Task RecordAsync_Acknowledged_CompletesOnlyOnceTheRowIsCommitted()
    {
        var ledger = await StartAsync();
        await ledger.RecordAsync(Record("req-before"), CancellationToken.None); // the start-up retention sweep is done

        Task recording;
        await using (await HoldWriteLockAsync())
        {
            recording = ledger.RecordAsync(Record("req-1"), CancellationToken.None).AsTask();
            Assert.False(recording.IsCompleted);
            Assert.Equal(1, await CountAsync("requests"));
        }

        await recording.WaitAsync(Guard);
        Assert.NotNull(await ledger.FindAsync("req-1", CancellationToken.None));
    }

    [Fact]
    public async Task RecordAsync_ManyConcurrentCallers_AllLandInFewCommits()
    {
        const int Rows = 2000;
        var ledger = await StartAsync();
        var recordings = new Task[Rows];

        // The writer is held behind the lock while the callers queue, so grouping does not depend on thread timing.
        await using (await HoldWriteLockAsync())
        {
            for (var i = 0; i < Rows; i++)
            {
                recordings[i] = ledger.RecordAsync(Record($"req-{i}"), CancellationToken.None).AsTask();
            }
        }

        await Task.WhenAll(recordings).WaitAsync(Guard);

        Assert.Equal(Rows, await CountAsync("requests"));
        Assert.Equal(Rows, await CountAsync("spend"));
        // At most one batch taken before the lock was met, then full batches of 512: one commit (one round trip) each.
        Assert.InRange(ledger.CommittedBatches, 4, 5);
    }

    [Fact]
    public async Task RecordAsync_Async_CompletesAtOnceAndIsStoredWithin100Milliseconds()
    {
        var ledger = await StartAsync(new LedgerOptions { Durability = "Async" });
        for (var i = 0; i < 20; i++)
        {
            Assert.True(ledger.RecordAsync(Record($"req-{i}"), CancellationToken.None).AsTask().IsCompletedSuccessfully);
        }

        // The writer gathers for 50 ms of the ledger's clock before it commits.
        await Time.WaitForTimerAsync(TimeSpan.FromMilliseconds(50), CancellationToken.None).WaitAsync(Guard);
        Time.Advance(TimeSpan.FromMilliseconds(49));
        Assert.Equal(0, ledger.CommittedBatches);
        Time.Advance(TimeSpan.FromMilliseconds(51));
        await ledger.WaitForCommittedBatchesAsync(1, CancellationToken.None).WaitAsync(Guard);

        Assert.Equal(20, await CountAsync("requests"));
        Assert.NotNull(await ledger.FindAsync("req-19", CancellationToken.None));
    }

    [Fact]
    public async Task StopAsync_RowsStillQueued_WritesThemAll()
    {
        const int Rows = 1500;
        var ledger = await StartAsync(new LedgerOptions { Durability = "Async" });
        Task stopping;
        await using (await HoldWriteLockAsync())
        {
            for (var i = 0; i < Rows; i++)
            {
                Assert.True(ledger.RecordAsync(Record($"req-{i}"), CancellationToken.None).AsTask().IsCompletedSuccessfully);
            }

            stopping = ledger.StopAsync(CancellationToken.None);
            Assert.False(stopping.IsCompleted);
        }

        await stopping.WaitAsync(Guard);

        Assert.Equal(Rows, await CountAsync("requests"));
        Assert.NotNull(await ledger.FindAsync($"req-{Rows - 1}", CancellationToken.None));
        await Assert.ThrowsAnyAsync<InvalidOperationException>(
            () => ledger.RecordAsync(Record("req-late"), CancellationToken.None).AsTask());
    }

    [Fact]
    public async Task Retention_AfterAnHour_DeletesRowsOlderThanRetention()
    {
        var ledger = await StartAsync(new LedgerOptions { Retention = TimeSpan.FromDays(30) });
        var now = Time.GetUtcNow();
        await ledger.RecordAsync(Record("req-old", now - TimeSpan.FromDays(30) + TimeSpan.FromMinutes(30)), CancellationToken.None);
        await ledger.RecordAsync(Record("req-recent", now - TimeSpan.FromDays(29)), CancellationToken.None);

        // Not yet an hour since the sweep at start: the row, 29.5 days old, is within retention anyway.
        Time.Advance(TimeSpan.FromMinutes(59));
        await ledger.RecordAsync(Record("req-probe-1"), CancellationToken.None);
        Assert.NotNull(await ledger.FindAsync("req-old", CancellationToken.None));

        // The hourly sweep runs before any row queued after it is acknowledged; req-old is now 30 days and 29 minutes old.
        Time.Advance(TimeSpan.FromMinutes(1));
        await ledger.RecordAsync(Record("req-probe-2"), CancellationToken.None);

        Assert.Null(await ledger.FindAsync("req-old", CancellationToken.None));
        Assert.NotNull(await ledger.FindAsync("req-recent", CancellationToken.None));
        Assert.Equal(3, await CountAsync("requests"));
        Assert.Equal(3, await CountAsync("spend"));
    }

    [Fact]
    public async Task RecordAsync_StoreUnavailable_EveryCallerIsStoredOrToldSo()
    {
        var ledger = await StartAsync();
        await ledger.RecordAsync(Record("req-before"), CancellationToken.None);

        var recordings = await RecordDuringOutageAsync(ledger, () =>
            Enumerable.Range(0, 20).Select(i => ledger.RecordAsync(Record($"req-{i}"), CancellationToken.None).AsTask()).ToArray());

        // Never silent: a caller whose call completed has its row; any other caller got an IOException naming its request.
        for (var i = 0; i < recordings.Count; i++)
        {
            try
            {
                await recordings[i].WaitAsync(Guard);
                Assert.NotNull(await ledger.FindAsync($"req-{i}", CancellationToken.None));
            }
            catch (IOException e)
            {
                Assert.Contains($"'req-{i}'", e.Message, StringComparison.Ordinal);
            }
        }

        // And the ledger goes on once the store is back.
        await ledger.RecordAsync(Record("req-after"), CancellationToken.None).AsTask().WaitAsync(Guard);
        Assert.NotNull(await ledger.FindAsync("req-after", CancellationToken.None));
    }

    [Fact]
    public async Task DisposeAsync_AgainAsTheContainerDoes_IsHarmless()
    {
        // The container disposes the ledger once per service it is registered as (the ledger, a hosted service).
        var ledger = await StartAsync();
        await ledger.RecordAsync(Record("req-1"), CancellationToken.None);
        await ledger.StopAsync(CancellationToken.None);
        await ledger.DisposeAsync();
        await ledger.DisposeAsync();

        Assert.Equal(1, await CountAsync("requests"));
    }

    /// <summary>A ledger on a fresh store, not started; disposed with the test.</summary>
    private protected abstract GroupCommitLedger Create(LedgerOptions options);

    /// <summary>Holds the lock that the ledger's writes need, until disposed; reads still work meanwhile.</summary>
    private protected abstract Task<IAsyncDisposable> HoldWriteLockAsync();

    /// <summary>The number of rows in <paramref name="table"/>, read through a connection of the test's own.</summary>
    private protected abstract Task<long> CountAsync(string table);

    /// <summary>Takes the store away, calls <paramref name="record"/>, and brings the store back as the store would.</summary>
    private protected abstract Task<IReadOnlyList<Task>> RecordDuringOutageAsync(GroupCommitLedger ledger, Func<IReadOnlyList<Task>> record);

    private protected async Task<GroupCommitLedger> StartAsync(LedgerOptions? options = null)
    {
        var ledger = Create(options ?? new LedgerOptions());
        _ledgers.Add(ledger);
        await ledger.StartAsync(CancellationToken.None);
        return ledger;
    }

    private protected RequestRecord Record(string requestId, DateTimeOffset? at = null) =>
        new(requestId, at ?? Time.GetUtcNow(), "gpt-fast", Stream: false, Status: 200, "completed", "gpt-fast", "openai",
            10, 20, 0.001m, [new AttemptRecord("gpt-fast", "openai", "key-a1", FailureKind.None, DispatchAction.Served, 200, 5, 0.001m, null)]);

    private protected static void AssertSameRecord(RequestRecord expected, RequestRecord? actual)
    {
        Assert.NotNull(actual);
        Assert.Equal(expected.Attempts, actual.Attempts);
        Assert.Equal(expected with { Attempts = actual.Attempts }, actual);
        Assert.Equal(expected.CostUsd.ToString(System.Globalization.CultureInfo.InvariantCulture),
            actual.CostUsd.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }
}
