using Dispatcher.Grains.Configuration;
using Dispatcher.Grains.Providers;
using Dispatcher.Silo.Authority;
using Dispatcher.Silo.Hosting;
using Dispatcher.TestSupport;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Npgsql;

using Xunit;

namespace Dispatcher.Silo.Tests.Authority;

/// <summary>The authority contract on a real PostgreSQL database (one per test), plus what only a cluster has.</summary>
public sealed class PostgresProviderAuthorityTests : ProviderAuthorityContract
{
    private readonly List<(PostgresProviderAuthority Authority, NpgsqlDataSource DataSource)> _nodes = [];
    private string _connectionString = null!;

    protected override async Task<IProviderAuthority> CreateAsync()
    {
        _connectionString = await PostgresTestServer.CreateDatabaseAsync("authority");
        return await StartNodeAsync("node-1");
    }

    protected override async Task DisposeAuthorityAsync()
    {
        foreach (var (authority, dataSource) in _nodes)
        {
            await authority.StopAsync(CancellationToken.None);
            await authority.DisposeAsync();
            await dataSource.DisposeAsync();
        }
    }

    // Two report rounds: the first may have started just before the outcome was recorded.
    protected override async Task SettleAsync() => await Task.Delay(Options.ReportInterval * 4 + TimeSpan.FromMilliseconds(100));

    private static ClusterOptions Options => new()
    {
        Mode = "Postgres",
        LeaseTtl = TimeSpan.FromSeconds(1),
        ReportInterval = TimeSpan.FromMilliseconds(20),
    };

    [Fact]
    public async Task TwoNodes_ShareOneKeysMinute_NeverAdmittingMoreThanItsRpm()
    {
        const int rpm = 20;
        var other = await StartNodeAsync("node-2");
        var budgets = new[] { Authority.GetBudget("p", "shared", rpm, null), other.GetBudget("p", "shared", rpm, null) };
        var admitted = 0;
        using var enough = new CancellationTokenSource(TimeSpan.FromSeconds(3));
        while (!enough.IsCancellationRequested)
        {
            foreach (var budget in budgets)
            {
                admitted += budget.TryConsume(1, out _) ? 1 : 0;
            }

            await Task.Delay(5, CancellationToken.None);
        }

        Assert.InRange(admitted, rpm / 2, rpm * WindowsSpanned());
    }

    [Fact]
    public async Task ANodeThatDiesWithoutLeaving_ItsUnusedLeaseReturnsAfterTheTtl()
    {
        const int rpm = 100; // leases are a tenth: the dead node holds 10
        await FreshMinuteAsync();
        var doomed = await StartNodeAsync("doomed");
        var doomedBudget = doomed.GetBudget("p", "k", rpm, null);
        await EventuallyAsync(() => doomedBudget.TryConsume(1, out _));

        // Killed: its loops stop, nothing is returned or reported, its lease row stays as it was.
        await doomed.DisposeAsync();
        var killedAt = DateTimeOffset.UtcNow;

        // While the lease lives the survivor can have 90; after the TTL the dead node's unused slice is back.
        var survivor = Authority.GetBudget("p", "k", rpm, null);
        var admitted = 0;
        await EventuallyAsync(() =>
        {
            while (survivor.TryConsume(1, out _))
            {
                admitted++;
            }

            return admitted == rpm;
        });
        Assert.False(survivor.TryConsume(1, out _));

        // The lease was taken just before the kill; the last tenth could only come back once it had expired.
        Assert.True(DateTimeOffset.UtcNow - killedAt >= Options.LeaseTtl - TimeSpan.FromMilliseconds(300));
    }

    [Fact]
    public async Task UnreachableDatabase_NodeServesOnLocalLimits_AndIsNotReady()
    {
        var readiness = new NodeReadiness();
        readiness.MarkReady();
        var dataSource = NpgsqlDataSource.Create("Host=127.0.0.1;Port=1;Timeout=1;Username=postgres");
        var authority = new PostgresProviderAuthority(dataSource, Wrap("lonely"), TimeProvider.System,
            NullLogger<PostgresProviderAuthority>.Instance, readiness);
        _nodes.Add((authority, dataSource));
        var budget = authority.GetBudget("p", "k", 3, null);
        var breaker = authority.GetBreaker("p", "m", Breaker);
        await authority.StartAsync(CancellationToken.None);

        Assert.False(readiness.IsReady);
        Assert.True(authority.IsDegraded);
        var admitted = 0;
        while (budget.TryConsume(1, out _))
        {
            admitted++;
        }

        Assert.Equal(3, admitted); // the whole Rpm: one live node known
        for (var i = 0; i < Breaker.MinimumThroughput; i++)
        {
            breaker.RecordFailure();
        }

        Assert.Equal(BreakerState.Open, breaker.State); // decided locally
    }

    private async Task<PostgresProviderAuthority> StartNodeAsync(string nodeId)
    {
        var dataSource = NpgsqlDataSource.Create(_connectionString);
        var readiness = new NodeReadiness();
        readiness.MarkReady();
        var authority = new PostgresProviderAuthority(dataSource, Wrap(nodeId), TimeProvider.System,
            NullLogger<PostgresProviderAuthority>.Instance, readiness);
        _nodes.Add((authority, dataSource));
        await authority.StartAsync(CancellationToken.None);
        Assert.True(readiness.IsReady);
        Assert.False(authority.IsDegraded);
        return authority;
    }

    private IOptions<DispatcherOptions> Wrap(string nodeId)
    {
        var cluster = Options;
        cluster.NodeId = nodeId;
        cluster.ConnectionString = _connectionString;
        return Microsoft.Extensions.Options.Options.Create(new DispatcherOptions { Cluster = cluster });
    }

    private static int WindowsSpanned() => 2; // a test can straddle one minute boundary at most
}
