using Dispatcher.Grains.Keys;
using Dispatcher.Grains.Ledger;
using Dispatcher.Silo.Keys;
using Dispatcher.Silo.Ledger;
using Dispatcher.TestSupport;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Xunit;

namespace Dispatcher.Silo.Tests.Keys;

public sealed class SqliteVirtualKeyStoreTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "dispatcher-key-tests", Guid.NewGuid().ToString("N"));
    private readonly ManualTimeProvider _time = new(new DateTimeOffset(2026, 11, 20, 8, 0, 0, TimeSpan.Zero));

    private string DatabasePath => Path.Combine(_directory, "dispatcher.db");

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    [Fact]
    public async Task AddThenLoad_RoundTripsEveryFieldAndNoSecret()
    {
        var store = new SqliteVirtualKeyStore(DatabasePath);
        var hash = VirtualKeySecret.Hash("dk-secret");
        var key = new VirtualKey("vk-1", "team a", hash, ["chain", "cheap"], ["backup"], 60, 12.5m, Strict: true, _time.GetUtcNow());

        await store.AddAsync(key, CancellationToken.None);
        var loaded = Assert.Single(await new SqliteVirtualKeyStore(DatabasePath).LoadAsync(CancellationToken.None));

        Assert.Equal(key with { SecretHash = loaded.SecretHash, Routes = loaded.Routes, Models = loaded.Models }, loaded);
        Assert.Equal(hash, loaded.SecretHash);
        Assert.Equal(["chain", "cheap"], loaded.Routes);
        Assert.Equal(["backup"], loaded.Models);
        Assert.True(await store.DeleteAsync("vk-1", CancellationToken.None));
        Assert.False(await store.DeleteAsync("vk-1", CancellationToken.None));
        Assert.Empty(await store.LoadAsync(CancellationToken.None));
    }

    [Fact]
    public async Task Registry_AfterRestart_KnowsKeysAndThisMonthsSpendFromTheLedger()
    {
        string secret;
        string id;
        await using (var ledger = new SqliteRequestLedger(DatabasePath, new LedgerOptions(), _time, NullLogger<SqliteRequestLedger>.Instance))
        {
            await ledger.StartAsync(CancellationToken.None);
            using var registry = NewRegistry();
            await registry.LoadAsync(CancellationToken.None);
            var (state, created) = await registry.CreateAsync(new NewVirtualKey("app", [], [], null, 1m, false), CancellationToken.None);
            (secret, id) = (created, state.Key.Id);
            await ledger.RecordAsync(Row("last-month", _time.GetUtcNow().AddMonths(-1), id, 0.5m), CancellationToken.None);
            await ledger.RecordAsync(Row("this-month-1", _time.GetUtcNow(), id, 0.25m), CancellationToken.None);
            await ledger.RecordAsync(Row("this-month-2", _time.GetUtcNow(), id, 0.125m), CancellationToken.None);
            await ledger.RecordAsync(Row("other-key", _time.GetUtcNow(), "vk-other", 9m), CancellationToken.None);
            await ledger.StopAsync(CancellationToken.None);
        }

        using var restarted = NewRegistry();
        await restarted.LoadAsync(CancellationToken.None);

        var key = restarted.Authenticate(secret);
        Assert.NotNull(key);
        Assert.Equal(id, key.Key.Id);
        Assert.Equal(0.375m, key.SpentThisMonth(_time.GetUtcNow()));
        Assert.Equal(0.625m, key.Admit(_time.GetUtcNow()).BudgetLeftUsd);
        Assert.Null(restarted.Authenticate(secret + "x"));
        Assert.Null(restarted.Authenticate("sk-not-a-virtual-key"));
    }

    private VirtualKeyRegistry NewRegistry() =>
        new(Options.Create(new AuthOptions { AdminKey = "admin" }), new SqliteVirtualKeyStore(DatabasePath), _time);

    private static RequestRecord Row(string requestId, DateTimeOffset at, string keyId, decimal cost) =>
        new(requestId, at, "chain", Stream: false, Status: 200, "completed", "backup", "beta", 1, 1, cost, []) { VirtualKeyId = keyId };
}
