using System.Text.Json;
using Dispatcher.Grains.Providers;
using Dispatcher.Providers;
using Dispatcher.TestSupport;
using Xunit;

namespace Dispatcher.Grains.Tests.Providers;

public sealed class ProviderActorSnapshotTests
{
    private readonly ManualTimeProvider _time = new(new DateTimeOffset(2026, 1, 1, 0, 0, 20, TimeSpan.Zero));

    [Fact]
    public void Snapshot_Keys_ShowIdsAndParkingNeverSecrets()
    {
        var actor = Actor(["sk-secret-aaaa", "sk-secret-bbbb"], rpm: 100, tpm: 1000);
        var breaker = actor.Deployment("gpt-4o");
        actor.Report(actor.TryAcquire(breaker, 10).Lease, FailureKind.AuthFailed, null, default, 0);

        var snapshot = actor.Snapshot();

        Assert.Equal("p", snapshot.Name);
        Assert.All(snapshot.Keys, key => Assert.Matches("^key-[0-9a-f]{8}$", key.Id));
        Assert.True(snapshot.Keys[0].Parked);
        Assert.Equal("auth_failed", snapshot.Keys[0].ParkedFor);
        Assert.Equal(_time.GetUtcNow() + TimeSpan.FromMinutes(5), snapshot.Keys[0].ParkedUntil);
        Assert.False(snapshot.Keys[1].Parked);
        Assert.Null(snapshot.Keys[1].ParkedFor);
        Assert.Equal(100, snapshot.Keys[1].RemainingRequests);
        Assert.Equal(1000, snapshot.Keys[1].RemainingTokens);
        var json = JsonSerializer.Serialize(snapshot);
        Assert.DoesNotContain("sk-secret", json, StringComparison.Ordinal);
        Assert.DoesNotContain("sk-secret", snapshot.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Snapshot_NoDeployments_Closed()
    {
        Assert.Equal("closed", Actor(["sk-a"]).Snapshot().State);
    }

    [Fact]
    public void Snapshot_OneOfTwoDeploymentsOpen_Closed()
    {
        var actor = Actor(["sk-a"]);
        actor.Deployment("gpt-4o-mini");
        Trip(actor, "gpt-4o");

        var snapshot = actor.Snapshot();

        Assert.Equal("closed", snapshot.State);
        Assert.Equal("open", snapshot.Deployments.Single(d => d.Model == "gpt-4o").State);
        Assert.Equal("closed", snapshot.Deployments.Single(d => d.Model == "gpt-4o-mini").State);
    }

    [Fact]
    public void Snapshot_EveryDeploymentOpen_Open()
    {
        var actor = Actor(["sk-a"]);
        Trip(actor, "gpt-4o");
        Trip(actor, "gpt-4o-mini");

        var snapshot = actor.Snapshot();

        Assert.Equal("open", snapshot.State);
        Assert.All(snapshot.Deployments, d => Assert.Equal(_time.GetUtcNow() + TimeSpan.FromSeconds(15), d.OpenUntil));
    }

    [Fact]
    public void Snapshot_NoneClosedSomeHalfOpen_HalfOpen()
    {
        var actor = Actor(["sk-a"]);
        Trip(actor, "gpt-4o");
        _time.Advance(TimeSpan.FromSeconds(10));
        Trip(actor, "gpt-4o-mini");
        _time.Advance(TimeSpan.FromSeconds(5));

        var snapshot = actor.Snapshot();

        Assert.Equal("half_open", snapshot.State);
        Assert.Equal("half_open", snapshot.Deployments.Single(d => d.Model == "gpt-4o").State);
        Assert.Equal("open", snapshot.Deployments.Single(d => d.Model == "gpt-4o-mini").State);

        _time.Advance(TimeSpan.FromSeconds(10));
        Assert.Equal("half_open", actor.Snapshot().State);
    }

    private ProviderActor Actor(string[] secrets, int? rpm = null, int? tpm = null) =>
        new("p", new UnusedAdapter(), secrets, rpm, tpm,
            new BreakerOptions { FailureRatio = 0.5, MinimumThroughput = 2, BreakDuration = TimeSpan.FromSeconds(15) }, new TestAuthority(_time), _time);

    private static void Trip(ProviderActor actor, string model)
    {
        var breaker = actor.Deployment(model);
        actor.Report(actor.TryAcquire(breaker, 10).Lease, FailureKind.ServerError, null, default, 0);
        actor.Report(actor.TryAcquire(breaker, 10).Lease, FailureKind.ServerError, null, default, 0);
        Assert.Equal(BreakerState.Open, breaker.State);
    }
}
