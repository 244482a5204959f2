using Dispatcher.Grains.Providers;
using Dispatcher.TestSupport;
using Xunit;

namespace Dispatcher.Grains.Tests.Providers;

public sealed class CircuitBreakerTests
{
    // Defaults: FailureRatio 0.5, MinimumThroughput 5, SamplingDuration 30 s, BreakDuration 15 s.
    private readonly ManualTimeProvider _time = new();
    private readonly CircuitBreaker _breaker;

    public CircuitBreakerTests()
    {
        _breaker = new CircuitBreaker(new BreakerOptions(), _time);
    }

    [Fact]
    public void TryAcquire_NewBreaker_AllowsCall()
    {
        Assert.True(_breaker.TryAcquire(out var retryAfter));
        Assert.Equal(TimeSpan.Zero, retryAfter);
        Assert.Equal(BreakerState.Closed, _breaker.State);
        Assert.Null(_breaker.OpenUntil);
    }

    [Fact]
    public void RecordFailure_RatioReachedAboveMinimumThroughput_Opens()
    {
        Record(successes: 2, failures: 2);

        Assert.True(_breaker.RecordFailure());

        Assert.Equal(BreakerState.Open, _breaker.State);
        Assert.Equal(_time.GetUtcNow().AddSeconds(15), _breaker.OpenUntil);
        Assert.Equal((2, 3), _breaker.WindowCounts);
    }

    [Fact]
    public void RecordFailure_BelowMinimumThroughput_StaysClosed()
    {
        Record(successes: 0, failures: 3);

        Assert.False(_breaker.RecordFailure());

        Assert.Equal(BreakerState.Closed, _breaker.State);
        Assert.Equal((0, 4), _breaker.WindowCounts);
    }

    [Fact]
    public void RecordFailure_RatioBelowThreshold_StaysClosed()
    {
        Record(successes: 5, failures: 3);

        Assert.False(_breaker.RecordFailure());

        Assert.Equal(BreakerState.Closed, _breaker.State);
    }

    [Fact]
    public void RecordFailure_EarlierFailuresSlidOutOfWindow_StaysClosed()
    {
        Record(successes: 0, failures: 4);
        _time.Advance(TimeSpan.FromSeconds(31));

        Assert.Equal((0, 0), _breaker.WindowCounts);
        Assert.False(_breaker.RecordFailure());
        Assert.Equal(BreakerState.Closed, _breaker.State);
    }

    [Fact]
    public void RecordFailure_EarlierFailuresStillInWindow_Opens()
    {
        Record(successes: 0, failures: 4);
        _time.Advance(TimeSpan.FromSeconds(25));

        Assert.True(_breaker.RecordFailure());
    }

    [Fact]
    public void TryAcquire_BreakerOpen_ReturnsRetryAfter()
    {
        Trip();
        _time.Advance(TimeSpan.FromSeconds(5));

        Assert.False(_breaker.TryAcquire(out var retryAfter));

        Assert.Equal(TimeSpan.FromSeconds(10), retryAfter);
    }

    [Fact]
    public void TryAcquire_BreakEnded_GrantsSingleProbe()
    {
        Trip();
        _time.Advance(TimeSpan.FromSeconds(15));

        Assert.Equal(BreakerState.HalfOpen, _breaker.State);
        Assert.Null(_breaker.OpenUntil);
        Assert.True(_breaker.TryAcquire(out _));
        Assert.False(_breaker.TryAcquire(out var retryAfter));
        Assert.Equal(TimeSpan.FromSeconds(1), retryAfter);
    }

    [Fact]
    public void RecordSuccess_ProbeSucceeds_ClosesWithEmptyWindow()
    {
        Trip();
        _time.Advance(TimeSpan.FromSeconds(15));
        _breaker.TryAcquire(out _);

        Assert.True(_breaker.RecordSuccess());

        Assert.Equal(BreakerState.Closed, _breaker.State);
        Assert.Equal((0, 0), _breaker.WindowCounts);
        Assert.True(_breaker.TryAcquire(out _));
        Assert.False(_breaker.RecordFailure());
    }

    [Fact]
    public void RecordFailure_ProbeFails_ReopensForAnotherBreak()
    {
        Trip();
        _time.Advance(TimeSpan.FromSeconds(15));
        _breaker.TryAcquire(out _);

        Assert.True(_breaker.RecordFailure());

        Assert.Equal(BreakerState.Open, _breaker.State);
        Assert.Equal(_time.GetUtcNow().AddSeconds(15), _breaker.OpenUntil);
        Assert.False(_breaker.TryAcquire(out var retryAfter));
        Assert.Equal(TimeSpan.FromSeconds(15), retryAfter);
    }

    [Fact]
    public void TryAcquire_ProbeLostForBreakDuration_GrantsNewProbe()
    {
        Trip();
        _time.Advance(TimeSpan.FromSeconds(15));
        Assert.True(_breaker.TryAcquire(out _));

        _time.Advance(TimeSpan.FromSeconds(14.5));
        Assert.False(_breaker.TryAcquire(out var retryAfter));
        Assert.Equal(TimeSpan.FromSeconds(0.5), retryAfter);
        _time.Advance(TimeSpan.FromSeconds(0.5));

        Assert.True(_breaker.TryAcquire(out _));
        Assert.False(_breaker.TryAcquire(out _));
    }

    [Fact]
    public void RecordFailure_BreakerOpen_DoesNotShortenBreak()
    {
        Trip();
        var openUntil = _breaker.OpenUntil;
        _time.Advance(TimeSpan.FromSeconds(10));

        Assert.False(_breaker.RecordFailure());

        Assert.Equal(openUntil, _breaker.OpenUntil);
        Assert.False(_breaker.TryAcquire(out var retryAfter));
        Assert.Equal(TimeSpan.FromSeconds(5), retryAfter);
    }

    [Fact]
    public void RecordSuccess_BreakerOpen_KeepsItOpen()
    {
        Trip();

        Assert.False(_breaker.RecordSuccess());

        Assert.Equal(BreakerState.Open, _breaker.State);
    }

    private void Trip()
    {
        Record(successes: 0, failures: 4);
        Assert.True(_breaker.RecordFailure());
    }

    private void Record(int successes, int failures)
    {
        for (var i = 0; i < successes; i++)
        {
            Assert.False(_breaker.RecordSuccess());
        }

        for (var i = 0; i < failures; i++)
        {
            Assert.False(_breaker.RecordFailure());
        }
    }
}
