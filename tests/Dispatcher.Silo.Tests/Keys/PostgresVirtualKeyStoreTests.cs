using Dispatcher.Grains.Keys;
using Dispatcher.Grains.Ledger;
using Dispatcher.Silo.Keys;
using Dispatcher.Silo.Ledger;
using Dispatcher.TestSupport;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Npgsql;
using Xunit;

namespace Dispatcher.Silo.Tests.Keys;

/// <summary>The cluster's key store on a real PostgreSQL: keys every node loads, spend summed over every node's rows.</summary>
public sealed class PostgresVirtualKeyStoreTests
{
    private readonly ManualTimeProvider _time = new(new DateTimeOffset(2026, 11, 20, 8, 0, 0, TimeSpan.Zero));

    [Fact]
    public async Task AddThenLoad_RoundTripsEveryFieldAndNoSecret()
    {
        await using var dataSource = NpgsqlDataSource.Create(await PostgresTestServer.CreateDatabaseAsync("keys"));
        using var store = new PostgresVirtualKeyStore(dataSource);
        var hash = VirtualKeySecret.Hash("dk-secret");
        var key = new VirtualKey("vk-1", "team a", hash, ["chain", "cheap"], ["backup"], 60, 12.5m, Strict: true, _time.GetUtcNow());

        await store.AddAsync(key, CancellationToken.None);
        using var otherNode = new PostgresVirtualKeyStore(dataSource);
        var loaded = Assert.Single(await otherNode.LoadAsync(CancellationToken.None));

        Assert.Equal(key with { SecretHash = loaded.SecretHash, Routes = loaded.Routes, Models = loaded.Models }, loaded);
        Assert.Equal(hash, loaded.SecretHash);
        Assert.Equal(["chain", "cheap"], loaded.Routes);
        Assert.Equal(["backup"], loaded.Models);
        Assert.True(await store.DeleteAsync("vk-1", CancellationToken.None));
        Assert.False(await otherNode.DeleteAsync("vk-1", CancellationToken.None));
        Assert.Empty(await store.LoadAsync(CancellationToken.None));
    }

    [Fact]
    public async Task Registry_OnAnotherNode_KnowsTheKeyAndThisMonthsSpendFromTheClusterLedger()
    {
        await using var dataSource = NpgsqlDataSource.Create(await PostgresTestServer.CreateDatabaseAsync("keys"));
        string secret;
        string id;
        await using (var ledger = new PostgresRequestLedger(dataSource, new LedgerOptions(), _time, NullLogger<PostgresRequestLedger>.Instance))
        {
            await ledger.StartAsync(CancellationToken.None);
            using var registry = NewRegistry(dataSource);
            await registry.LoadAsync(CancellationToken.None);
            var (state, created) = await registry.CreateAsync(new NewVirtualKey("app", [], [], null, 1m, false), CancellationToken.None);
            (secret, id) = (created, state.Key.Id);
            await ledger.RecordAsync(Row("last-month", _time.GetUtcNow().AddMonths(-1), id, 0.5m), CancellationToken.None);
            await ledger.RecordAsync(Row("this-month-1", _time.GetUtcNow(), id, 0.25m), CancellationToken.None);
            await ledger.RecordAsync(Row("this-month-2", _time.GetUtcNow(), id, 0.125m), CancellationToken.None);
            await ledger.RecordAsync(Row("other-key", _time.GetUtcNow(), "vk-other", 9m), CancellationToken.None);
            await ledger.StopAsync(CancellationToken.None);
        }

        using var otherNode = NewRegistry(dataSource);
        await otherNode.LoadAsync(CancellationToken.None);

        var key = otherNode.Authenticate(secret);
        Assert.NotNull(key);
        Assert.Equal(id, key.Key.Id);
        Assert.Equal(0.375m, key.SpentThisMonth(_time.GetUtcNow()));
        Assert.Null(otherNode.Authenticate(secret + "x"));
    }

    [Fact]
    public async Task Refresh_BringsAnotherNodesKeysAndSpend_AndKeepsAKnownKeysState()
    {
        await using var dataSource = NpgsqlDataSource.Create(await PostgresTestServer.CreateDatabaseAsync("keys"));
        await using var ledger = new PostgresRequestLedger(dataSource, new LedgerOptions(), _time, NullLogger<PostgresRequestLedger>.Instance);
        await ledger.StartAsync(CancellationToken.None);
        using var nodeA = NewRegistry(dataSource);
        using var nodeB = NewRegistry(dataSource);
        await nodeA.LoadAsync(CancellationToken.None);
        await nodeB.LoadAsync(CancellationToken.None);

        var (created, secret) = await nodeA.CreateAsync(new NewVirtualKey("app", [], [], 2, 1m, false), CancellationToken.None);
        Assert.Null(nodeB.Authenticate(secret));

        // B's refresh: the key A created is known; B's request window is its own and survives the next refresh.
        await nodeB.LoadAsync(CancellationToken.None);
        var onB = nodeB.Authenticate(secret);
        Assert.NotNull(onB);
        Assert.Equal(KeyVerdict.Admitted, onB.Admit(_time.GetUtcNow()).Verdict);
        await ledger.RecordAsync(Row("spent-on-a", _time.GetUtcNow(), created.Key.Id, 0.75m), CancellationToken.None);
        await nodeB.LoadAsync(CancellationToken.None);
        Assert.Same(onB, nodeB.Authenticate(secret));
        Assert.Equal(0.75m, onB.SpentThisMonth(_time.GetUtcNow()));
        Assert.Equal(KeyVerdict.Admitted, onB.Admit(_time.GetUtcNow()).Verdict);
        Assert.Equal(KeyVerdict.RateLimited, onB.Admit(_time.GetUtcNow()).Verdict);

        // A deletes it: B's next refresh forgets it.
        Assert.True(await nodeA.DeleteAsync(created.Key.Id, CancellationToken.None));
        await nodeB.LoadAsync(CancellationToken.None);
        Assert.Null(nodeB.Authenticate(secret));
        await ledger.StopAsync(CancellationToken.None);
    }

    private VirtualKeyRegistry NewRegistry(NpgsqlDataSource dataSource) =>
        new(Options.Create(new AuthOptions { AdminKey = "admin" }), new PostgresVirtualKeyStore(dataSource), _time);

    private static RequestRecord Row(string requestId, DateTimeOffset at, string keyId, decimal cost) =>
        new(requestId, at, "chain", Stream: false, Status: 200, "completed", "backup", "beta", 1, 1, cost, []) { VirtualKeyId = keyId };
}
