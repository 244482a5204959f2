using Dispatcher.Grains.Providers;
using Dispatcher.Providers;
using Dispatcher.TestSupport;
using Xunit;

namespace Dispatcher.Grains.Tests.Providers;

public sealed class ProviderActorTests
{
    private const string KeyA = "key-a4a6d307"; // sk-a
    private const string KeyB = "key-18519d64"; // sk-b

    // 20 s into a one-minute budget window.
    private readonly ManualTimeProvider _time = new(new DateTimeOffset(2026, 1, 1, 0, 0, 20, TimeSpan.Zero));
    private readonly TestAuthority _authority;

    public ProviderActorTests() => _authority = new TestAuthority(_time);

    [Fact]
    public void TryAcquire_TwoKeys_RoundRobin()
    {
        var actor = Actor(["sk-a", "sk-b"]);
        var breaker = actor.Deployment("gpt-4o");

        Assert.Equal([KeyA, KeyB, KeyA, KeyB], Enumerable.Range(0, 4).Select(_ => AcquireAndRelease(actor, breaker)));
    }

    [Fact]
    public void Report_AuthFailed_ParksKeyAndNextAcquireUsesTheOther()
    {
        var actor = Actor(["sk-a", "sk-b"]);
        var breaker = actor.Deployment("gpt-4o");
        var first = actor.TryAcquire(breaker, 10).Lease;
        Assert.Equal(KeyA, first.Key.Id);

        actor.Report(first, FailureKind.AuthFailed, null, default, 0);

        Assert.Equal([KeyB, KeyB, KeyB], Enumerable.Range(0, 3).Select(_ => AcquireAndRelease(actor, breaker)));
        Assert.True(actor.HasUsableKey());
    }

    [Fact]
    public void TryAcquire_AllKeysAuthFailed_SkipsWithAuthFailedUntilFirstParkingEnds()
    {
        var actor = Actor(["sk-a", "sk-b"]);
        var breaker = actor.Deployment("gpt-4o");
        actor.Report(actor.TryAcquire(breaker, 10).Lease, FailureKind.AuthFailed, null, default, 0);
        _time.Advance(TimeSpan.FromMinutes(1));
        actor.Report(actor.TryAcquire(breaker, 10).Lease, FailureKind.AuthFailed, null, default, 0);

        var skipped = actor.TryAcquire(breaker, 10);

        Assert.False(skipped.Granted);
        Assert.Equal(FailureKind.AuthFailed, skipped.SkipReason);
        Assert.Equal(TimeSpan.FromMinutes(4), skipped.RetryAfter);
        Assert.False(actor.HasUsableKey());

        _time.Advance(TimeSpan.FromMinutes(4));

        Assert.Equal(KeyA, AcquireAndRelease(actor, breaker));
    }

    [Fact]
    public void Report_QuotaExhausted_ParksKeyForLonger()
    {
        var actor = Actor(["sk-a"]);
        var breaker = actor.Deployment("gpt-4o");
        actor.Report(actor.TryAcquire(breaker, 10).Lease, FailureKind.QuotaExhausted, null, default, 0);

        var skipped = actor.TryAcquire(breaker, 10);

        Assert.Equal(FailureKind.QuotaExhausted, skipped.SkipReason);
        Assert.Equal(TimeSpan.FromMinutes(10), skipped.RetryAfter);
    }

    [Fact]
    public void Report_RateLimitedWithRetryAfter_CoolsKeyDownUntilClockPassesIt()
    {
        var actor = Actor(["sk-a"]);
        var breaker = actor.Deployment("gpt-4o");
        actor.Report(actor.TryAcquire(breaker, 10).Lease, FailureKind.RateLimited, TimeSpan.FromSeconds(30), default, 0);

        var skipped = actor.TryAcquire(breaker, 10);

        Assert.Equal(FailureKind.BudgetExhausted, skipped.SkipReason);
        Assert.Equal(TimeSpan.FromSeconds(30), skipped.RetryAfter);
        Assert.False(actor.HasUsableKey());

        _time.Advance(TimeSpan.FromSeconds(29));
        Assert.False(actor.TryAcquire(breaker, 10).Granted);

        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.True(actor.HasUsableKey());
        Assert.True(actor.TryAcquire(breaker, 10).Granted);
    }

    [Fact]
    public void Report_RateLimitedWithoutRetryAfter_CoolsDownOneSecond()
    {
        var actor = Actor(["sk-a"]);
        var breaker = actor.Deployment("gpt-4o");
        actor.Report(actor.TryAcquire(breaker, 10).Lease, FailureKind.RateLimited, null, default, 0);

        Assert.Equal(TimeSpan.FromSeconds(1), actor.TryAcquire(breaker, 10).RetryAfter);
    }

    [Fact]
    public void Report_RateLimitedOnOneKey_OtherKeyServes()
    {
        var actor = Actor(["sk-a", "sk-b"]);
        var breaker = actor.Deployment("gpt-4o");
        actor.Report(actor.TryAcquire(breaker, 10).Lease, FailureKind.RateLimited, TimeSpan.FromSeconds(30), default, 0);

        Assert.Equal([KeyB, KeyB], Enumerable.Range(0, 2).Select(_ => AcquireAndRelease(actor, breaker)));
    }

    [Fact]
    public void Report_ServedWithExhaustedHint_CoolsDownUntilReset()
    {
        var actor = Actor(["sk-a"]);
        var breaker = actor.Deployment("gpt-4o");
        var hint = new RateLimitHint(RemainingRequests: 0, RemainingTokens: 5000, ResetAfter: TimeSpan.FromSeconds(20));
        actor.Report(actor.TryAcquire(breaker, 10).Lease, FailureKind.None, null, hint, 42);

        var skipped = actor.TryAcquire(breaker, 10);

        Assert.Equal(FailureKind.BudgetExhausted, skipped.SkipReason);
        Assert.Equal(TimeSpan.FromSeconds(20), skipped.RetryAfter);
    }

    [Fact]
    public void TryAcquire_RpmExhausted_SkipsWithBudgetExhaustedUntilNextWindow()
    {
        var actor = Actor(["sk-a"], rpm: 2);
        var breaker = actor.Deployment("gpt-4o");
        actor.Report(actor.TryAcquire(breaker, 10).Lease, FailureKind.None, null, default, 10);
        actor.Report(actor.TryAcquire(breaker, 10).Lease, FailureKind.None, null, default, 10);

        var skipped = actor.TryAcquire(breaker, 10);

        Assert.Equal(FailureKind.BudgetExhausted, skipped.SkipReason);
        Assert.Equal(TimeSpan.FromSeconds(40), skipped.RetryAfter);
        Assert.Equal(0, actor.Snapshot().Keys[0].RemainingRequests);
    }

    [Fact]
    public void TryAcquire_BreakerOpenedByFailures_SkipsWithBreakerOpenAndRefundsBudget()
    {
        var actor = Actor(["sk-a"], rpm: 10);
        var breaker = actor.Deployment("gpt-4o");
        Assert.False(actor.Report(actor.TryAcquire(breaker, 10).Lease, FailureKind.ServerError, null, default, 0));
        Assert.True(actor.Report(actor.TryAcquire(breaker, 10).Lease, FailureKind.Timeout, null, default, 0));
        var budget = _authority.Budgets["p/" + KeyA];
        Assert.Equal(8, budget.RemainingRequests);

        var skipped = actor.TryAcquire(breaker, 10);

        Assert.Equal(FailureKind.BreakerOpen, skipped.SkipReason);
        Assert.Equal(TimeSpan.FromSeconds(15), skipped.RetryAfter);
        Assert.Equal(8, budget.RemainingRequests);
    }

    [Fact]
    public void TryAcquire_BreakerOfOtherDeploymentOpen_StillGranted()
    {
        var actor = Actor(["sk-a"]);
        Trip(actor, "gpt-4o");

        Assert.True(actor.TryAcquire(actor.Deployment("gpt-4o-mini"), 10).Granted);
        Assert.Equal(FailureKind.BreakerOpen, actor.TryAcquire(actor.Deployment("gpt-4o"), 10).SkipReason);
    }

    [Theory]
    [InlineData(FailureKind.RateLimited)]
    [InlineData(FailureKind.AuthFailed)]
    [InlineData(FailureKind.Cancelled)]
    public void Report_KeyOrClientProblem_LeavesBreakerCountsAlone(FailureKind kind)
    {
        var actor = Actor(["sk-a", "sk-b"]);
        var breaker = actor.Deployment("gpt-4o");

        Assert.False(actor.Report(actor.TryAcquire(breaker, 10).Lease, kind, null, default, 0));

        Assert.Equal((0, 0), breaker.WindowCounts);
    }

    [Fact]
    public void Release_NeverSent_RefundsBudget()
    {
        var actor = Actor(["sk-a"], rpm: 1);
        var breaker = actor.Deployment("gpt-4o");
        actor.Release(actor.TryAcquire(breaker, 10).Lease);

        Assert.True(actor.TryAcquire(breaker, 10).Granted);
    }

    [Fact]
    public void Constructor_NoSecrets_OneKeylessKey()
    {
        var actor = Actor([]);

        Assert.Equal("keyless", Assert.Single(actor.Snapshot().Keys).Id);
        Assert.Equal("keyless", AcquireAndRelease(actor, actor.Deployment("llama")));
    }

    [Fact]
    public void Deployment_SameModel_SameBreaker()
    {
        var actor = Actor(["sk-a"]);

        Assert.Same(actor.Deployment("gpt-4o"), actor.Deployment("gpt-4o"));
        Assert.NotSame(actor.Deployment("gpt-4o"), actor.Deployment("GPT-4O"));
    }

    [Theory]
    [InlineData(FailureKind.None, true)]
    [InlineData(FailureKind.InvalidRequest, true)]
    [InlineData(FailureKind.ContextOverflow, true)]
    [InlineData(FailureKind.ContentFiltered, true)]
    [InlineData(FailureKind.SchemaViolation, true)]
    [InlineData(FailureKind.ServerError, false)]
    [InlineData(FailureKind.Timeout, false)]
    [InlineData(FailureKind.FirstTokenTimeout, false)]
    [InlineData(FailureKind.StreamStalled, false)]
    [InlineData(FailureKind.StreamCut, false)]
    [InlineData(FailureKind.ConnectionFailed, false)]
    [InlineData(FailureKind.InvalidResponse, false)]
    [InlineData(FailureKind.ModelNotFound, false)]
    [InlineData(FailureKind.RateLimited, null)]
    [InlineData(FailureKind.QuotaExhausted, null)]
    [InlineData(FailureKind.AuthFailed, null)]
    [InlineData(FailureKind.BreakerOpen, null)]
    [InlineData(FailureKind.BudgetExhausted, null)]
    [InlineData(FailureKind.CostCeiling, null)]
    [InlineData(FailureKind.CapabilityMismatch, null)]
    [InlineData(FailureKind.Cancelled, null)]
    public void BreakerVerdict_Kind_SaysWhetherDeploymentWorks(FailureKind kind, bool? expected)
    {
        Assert.Equal(expected, ProviderActor.BreakerVerdict(kind));
    }

    private ProviderActor Actor(string[] secrets, int? rpm = null, int? tpm = null) =>
        new("p", new UnusedAdapter(), secrets, rpm, tpm,
            new BreakerOptions { FailureRatio = 0.5, MinimumThroughput = 2, BreakDuration = TimeSpan.FromSeconds(15) }, _authority, _time);

    private static string AcquireAndRelease(ProviderActor actor, IDeploymentBreaker breaker)
    {
        var result = actor.TryAcquire(breaker, 10);
        Assert.True(result.Granted, $"skipped: {result.SkipReason}");
        actor.Release(result.Lease);
        return result.Lease.Key.Id;
    }

    private static void Trip(ProviderActor actor, string model)
    {
        var breaker = actor.Deployment(model);
        actor.Report(actor.TryAcquire(breaker, 10).Lease, FailureKind.ServerError, null, default, 0);
        actor.Report(actor.TryAcquire(breaker, 10).Lease, FailureKind.ServerError, null, default, 0);
        Assert.Equal(BreakerState.Open, breaker.State);
    }
}
