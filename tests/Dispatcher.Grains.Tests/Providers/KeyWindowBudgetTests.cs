using Dispatcher.Grains.Providers;
using Dispatcher.TestSupport;
using Xunit;

namespace Dispatcher.Grains.Tests.Providers;

public sealed class KeyWindowBudgetTests
{
    // Starts on a minute boundary; 20 s into the first window.
    private readonly ManualTimeProvider _time = new(new DateTimeOffset(2026, 1, 1, 0, 0, 20, TimeSpan.Zero));

    [Fact]
    public void TryConsume_Unlimited_AlwaysAdmits()
    {
        var budget = new KeyWindowBudget(rpm: null, tpm: null, _time);

        for (var i = 0; i < 1000; i++)
        {
            Assert.True(budget.TryConsume(100_000, out _));
        }

        Assert.Null(budget.RemainingRequests);
        Assert.Null(budget.RemainingTokens);
    }

    [Fact]
    public void TryConsume_RpmExhausted_ReturnsRetryAfterToWindowEnd()
    {
        var budget = new KeyWindowBudget(rpm: 2, tpm: null, _time);
        Assert.True(budget.TryConsume(10, out _));
        Assert.True(budget.TryConsume(10, out _));

        Assert.False(budget.TryConsume(10, out var retryAfter));

        Assert.Equal(TimeSpan.FromSeconds(40), retryAfter);
        Assert.Equal(0, budget.RemainingRequests);
    }

    [Fact]
    public void TryConsume_NextWindow_RestoresBudget()
    {
        var budget = new KeyWindowBudget(rpm: 1, tpm: 100, _time);
        Assert.True(budget.TryConsume(100, out _));
        Assert.False(budget.TryConsume(1, out _));

        _time.Advance(TimeSpan.FromSeconds(40));

        Assert.Equal(1, budget.RemainingRequests);
        Assert.Equal(100, budget.RemainingTokens);
        Assert.True(budget.TryConsume(100, out _));
    }

    [Fact]
    public void TryConsume_TpmWouldBeExceeded_ReturnsRetryAfterToWindowEnd()
    {
        var budget = new KeyWindowBudget(rpm: null, tpm: 1000, _time);
        Assert.True(budget.TryConsume(700, out _));

        Assert.False(budget.TryConsume(301, out var retryAfter));

        Assert.Equal(TimeSpan.FromSeconds(40), retryAfter);
        Assert.True(budget.TryConsume(300, out _));
        Assert.Equal(0, budget.RemainingTokens);
        Assert.False(budget.TryConsume(0, out _));
    }

    [Fact]
    public void TryConsume_LargerThanTpmInEmptyWindow_Admits()
    {
        var budget = new KeyWindowBudget(rpm: null, tpm: 1000, _time);

        Assert.True(budget.TryConsume(5000, out _));

        Assert.False(budget.TryConsume(1, out _));
        Assert.Equal(0, budget.RemainingTokens);
    }

    [Fact]
    public void Adjust_ActualBelowReservation_GivesTokensBack()
    {
        var budget = new KeyWindowBudget(rpm: null, tpm: 1000, _time);
        Assert.True(budget.TryConsume(800, out _));

        budget.Adjust(reservedTokens: 800, actualTokens: 300);

        Assert.Equal(700, budget.RemainingTokens);
        Assert.True(budget.TryConsume(700, out _));
    }

    [Fact]
    public void Adjust_ActualAboveReservation_SpendsMore()
    {
        var budget = new KeyWindowBudget(rpm: null, tpm: 1000, _time);
        Assert.True(budget.TryConsume(300, out _));

        budget.Adjust(reservedTokens: 300, actualTokens: 900);

        Assert.Equal(100, budget.RemainingTokens);
        Assert.False(budget.TryConsume(101, out _));
    }

    [Fact]
    public void Adjust_ReservationFromEarlierWindow_Ignored()
    {
        var budget = new KeyWindowBudget(rpm: null, tpm: 1000, _time);
        Assert.True(budget.TryConsume(800, out _));
        _time.Advance(TimeSpan.FromMinutes(1));

        budget.Adjust(reservedTokens: 800, actualTokens: 950);
        budget.Refund(800);

        Assert.Equal(1000, budget.RemainingTokens);
    }

    [Fact]
    public void Refund_UnsentRequest_GivesBackRequestAndTokens()
    {
        var budget = new KeyWindowBudget(rpm: 1, tpm: 1000, _time);
        Assert.True(budget.TryConsume(400, out _));

        budget.Refund(400);

        Assert.Equal(1, budget.RemainingRequests);
        Assert.Equal(1000, budget.RemainingTokens);
        Assert.True(budget.TryConsume(1000, out _));
    }

    [Fact]
    public void CoolDown_InForce_RefusesUntilItEnds()
    {
        var budget = new KeyWindowBudget(rpm: null, tpm: null, _time);

        budget.CoolDown(TimeSpan.FromSeconds(90));

        Assert.False(budget.TryConsume(1, out var retryAfter));
        Assert.Equal(TimeSpan.FromSeconds(90), retryAfter);
        Assert.Equal(_time.GetUtcNow().AddSeconds(90), budget.CoolingUntil);
        _time.Advance(TimeSpan.FromSeconds(90));
        Assert.Null(budget.CoolingUntil);
        Assert.True(budget.TryConsume(1, out _));
    }

    [Fact]
    public void CoolDown_ShorterThanOneInForce_DoesNotShortenIt()
    {
        var budget = new KeyWindowBudget(rpm: null, tpm: null, _time);
        budget.CoolDown(TimeSpan.FromSeconds(30));
        var coolingUntil = budget.CoolingUntil;

        _time.Advance(TimeSpan.FromSeconds(10));
        budget.CoolDown(TimeSpan.FromSeconds(5));

        Assert.Equal(coolingUntil, budget.CoolingUntil);
        Assert.False(budget.TryConsume(1, out var retryAfter));
        Assert.Equal(TimeSpan.FromSeconds(20), retryAfter);
    }

    [Fact]
    public void TryConsume_CoolDownEndsBeforeFullWindowEnds_ReturnsRetryAfterToWindowEnd()
    {
        var budget = new KeyWindowBudget(rpm: 1, tpm: null, _time);
        Assert.True(budget.TryConsume(1, out _));

        budget.CoolDown(TimeSpan.FromSeconds(5));

        Assert.False(budget.TryConsume(1, out var retryAfter));
        Assert.Equal(TimeSpan.FromSeconds(40), retryAfter);
    }
}
