using Dispatcher.Grains.Providers;
using Npgsql;

using Xunit;

namespace Dispatcher.Silo.Tests.Authority;

/// <summary>
/// What every authority must do, whatever keeps the truth: the Embedded one (in this process) and the PostgreSQL one
/// (views kept in step in the background) run the same tests. A cluster authority settles asynchronously, so the
/// tests wait for a state to be reached (<see cref="EventuallyAsync"/>) instead of expecting it at once; the clock is
/// real because PostgreSQL's is.
/// </summary>
public abstract class ProviderAuthorityContract : IAsyncLifetime
{
    private static readonly TimeSpan SettleTimeout = TimeSpan.FromSeconds(10);

    protected static readonly BreakerOptions Breaker = new()
    {
        FailureRatio = 0.5,
        MinimumThroughput = 4,
        SamplingDuration = TimeSpan.FromSeconds(30),
        BreakDuration = TimeSpan.FromSeconds(2), // a slow machine must still see "open" before the break ends
    };

    protected IProviderAuthority Authority { get; private set; } = null!;

    public async Task InitializeAsync() => Authority = await CreateAsync();

    public Task DisposeAsync() => DisposeAuthorityAsync();

    /// <summary>A started authority with nothing recorded.</summary>
    protected abstract Task<IProviderAuthority> CreateAsync();

    protected abstract Task DisposeAuthorityAsync();

    /// <summary>Waits until what has been recorded has reached the authority and come back (a cluster's round trip).</summary>
    protected abstract Task SettleAsync();

    [Fact]
    public async Task Breaker_StaysClosedBelowMinimumThroughput_OpensAtTheFailureRatio()
    {
        var breaker = Authority.GetBreaker("p", "m", Breaker);
        for (var i = 0; i < Breaker.MinimumThroughput - 1; i++)
        {
            Assert.True(breaker.TryAcquire(out _));
            breaker.RecordFailure();
        }

        await SettleAsync();
        Assert.Equal(BreakerState.Closed, breaker.State);

        breaker.RecordFailure();
        await EventuallyAsync(() => breaker.State == BreakerState.Open);
        Assert.False(breaker.TryAcquire(out var retryAfter));
        // At most the break: a cluster maps the database's open-until to this node's clock, so allow its skew.
        Assert.InRange(retryAfter, TimeSpan.FromTicks(1), Breaker.BreakDuration + TimeSpan.FromMilliseconds(100));
        Assert.NotNull(breaker.OpenUntil);
    }

    [Fact]
    public async Task Breaker_AfterTheBreak_LetsOneProbeThrough_WhoseSuccessClosesIt()
    {
        var breaker = Authority.GetBreaker("p", "m", Breaker);
        for (var i = 0; i < Breaker.MinimumThroughput; i++)
        {
            breaker.RecordFailure();
        }

        await EventuallyAsync(() => breaker.State == BreakerState.Open);
        await EventuallyAsync(() => breaker.State == BreakerState.HalfOpen);
        Assert.True(breaker.TryAcquire(out _));
        Assert.False(breaker.TryAcquire(out var retryAfter));
        Assert.True(retryAfter > TimeSpan.Zero);

        breaker.RecordSuccess();
        Assert.Equal(BreakerState.Closed, breaker.State);
        Assert.True(breaker.TryAcquire(out _));
        await SettleAsync();
        Assert.Equal(BreakerState.Closed, breaker.State);
    }

    [Fact]
    public async Task Breaker_ProbeFailure_OpensForAnotherBreak()
    {
        var breaker = Authority.GetBreaker("p", "m", Breaker);
        for (var i = 0; i < Breaker.MinimumThroughput; i++)
        {
            breaker.RecordFailure();
        }

        await EventuallyAsync(() => breaker.State == BreakerState.HalfOpen);
        Assert.True(breaker.TryAcquire(out _));
        breaker.RecordFailure();
        Assert.Equal(BreakerState.Open, breaker.State);
        Assert.False(breaker.TryAcquire(out _));
    }

    [Fact]
    public async Task Budget_AdmitsRpmRequestsInAMinute_ThenRefusesWithTheWaitToTheNextWindow()
    {
        const int rpm = 5;
        await FreshMinuteAsync();
        var budget = Authority.GetBudget("p", "key-a", rpm, null);
        var admitted = 0;
        await EventuallyAsync(() =>
        {
            while (budget.TryConsume(10, out _))
            {
                admitted++;
            }

            return admitted == rpm;
        });

        await SettleAsync();
        Assert.False(budget.TryConsume(10, out var retryAfter));
        Assert.InRange(retryAfter, TimeSpan.FromTicks(1), TimeSpan.FromMinutes(1));
        Assert.Equal(rpm, admitted);
        Assert.Equal(0, budget.RemainingRequests);
    }

    [Fact]
    public async Task Budget_Refund_GivesTheRequestBack()
    {
        await FreshMinuteAsync();
        var budget = Authority.GetBudget("p", "key-b", 2, null);
        var admitted = 0;
        await EventuallyAsync(() =>
        {
            while (budget.TryConsume(0, out _))
            {
                admitted++;
            }

            return admitted == 2;
        });

        budget.Refund(0);
        Assert.True(budget.TryConsume(0, out _));
    }

    [Fact]
    public async Task Budget_CoolDown_RefusesUntilItEnds_AndAShorterOneNeverShortensIt()
    {
        var budget = Authority.GetBudget("p", "key-c", null, null);
        Assert.True(budget.TryConsume(100, out _));
        budget.CoolDown(TimeSpan.FromSeconds(30));
        budget.CoolDown(TimeSpan.FromSeconds(1));
        Assert.False(budget.TryConsume(100, out var retryAfter));
        Assert.True(retryAfter > TimeSpan.FromSeconds(20));
        Assert.NotNull(budget.CoolingUntil);
        await SettleAsync();
        Assert.False(budget.TryConsume(100, out _));
    }

    [Fact]
    public void Budget_Unlimited_AdmitsAtOnce_AndReportsNoLimit()
    {
        var budget = Authority.GetBudget("p", "key-d", null, null);
        Assert.True(budget.TryConsume(1_000_000, out var retryAfter));
        Assert.Equal(TimeSpan.Zero, retryAfter);
        Assert.Null(budget.RemainingRequests);
        Assert.Null(budget.RemainingTokens);
    }

    /// <summary>Polls <paramref name="condition"/> until it holds: the authority's own loops make it true.</summary>
    protected static async Task EventuallyAsync(Func<bool> condition)
    {
        using var timeout = new CancellationTokenSource(SettleTimeout);
        while (!condition())
        {
            await Task.Delay(10, timeout.Token);
        }
    }

    // Budgets count one-minute windows of the authority's clock: a test that spends one must not straddle two.
    protected static async Task FreshMinuteAsync()
    {
        var now = DateTimeOffset.UtcNow;
        var left = TimeSpan.FromMinutes(1) - TimeSpan.FromTicks(now.UtcTicks % TimeSpan.TicksPerMinute);
        if (left < TimeSpan.FromSeconds(5))
        {
            await Task.Delay(left + TimeSpan.FromMilliseconds(200));
        }
    }
}
