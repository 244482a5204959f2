using Dispatcher.Grains.Dispatch;
using Dispatcher.Providers;
using Xunit;

namespace Dispatcher.Grains.Tests.Dispatch;

public sealed class DecisionTrailTests
{
    [Fact]
    public void FallbackReasons_FirstAttemptServed_Empty()
    {
        var trail = new DecisionTrail();
        trail.Add(Attempt("a", FailureKind.None));

        Assert.Equal(string.Empty, trail.FallbackReasons());
        Assert.Equal(1, trail.Count);
    }

    [Fact]
    public void FallbackReasons_NoAttempts_Empty()
    {
        Assert.Equal(string.Empty, new DecisionTrail().FallbackReasons());
    }

    [Fact]
    public void FallbackReasons_FailuresThenServed_ListsFailuresInOrderWithRepeats()
    {
        var trail = new DecisionTrail();
        trail.Add(Attempt("a", FailureKind.RateLimited));
        trail.Add(Attempt("a", FailureKind.ServerError));
        trail.Add(Attempt("b", FailureKind.BreakerOpen, keyId: null));
        trail.Add(Attempt("c", FailureKind.None));

        Assert.Equal("a=rate_limited;a=server_error;b=breaker_open", trail.FallbackReasons());
        Assert.Equal(4, trail.Count);
    }

    [Fact]
    public void FallbackReasons_AllFailed_ListsEveryAttempt()
    {
        var trail = new DecisionTrail();
        trail.Add(Attempt("gpt4o", FailureKind.ContextOverflow));
        trail.Add(Attempt("sonnet", FailureKind.FirstTokenTimeout));

        Assert.Equal("gpt4o=context_overflow;sonnet=first_token_timeout", trail.FallbackReasons());
    }

    [Fact]
    public void Add_SumsCostOfEveryAttempt()
    {
        var trail = new DecisionTrail();
        trail.Add(Attempt("a", FailureKind.StreamCut, cost: 0.0012m));
        trail.Add(Attempt("b", FailureKind.None, cost: 0.0030m));

        Assert.Equal(0.0042m, trail.TotalCostUsd);
    }

    [Fact]
    public void Skipped_OnlyFailuresWithoutKey()
    {
        Assert.True(Attempt("a", FailureKind.BreakerOpen, keyId: null).Skipped);
        Assert.False(Attempt("a", FailureKind.ServerError).Skipped);
        Assert.False(Attempt("a", FailureKind.None, keyId: null).Skipped);
    }

    private static AttemptRecord Attempt(string model, FailureKind kind, string? keyId = "key-00000000", decimal cost = 0m) =>
        new(model, "p", keyId, kind, DispatchPolicy.Decide(kind, contentFilterFallback: false), 0, 1.0, cost, null);
}
