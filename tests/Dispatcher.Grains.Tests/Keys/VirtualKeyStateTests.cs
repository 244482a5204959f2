using Dispatcher.Grains.Keys;
using Xunit;

namespace Dispatcher.Grains.Tests.Keys;

public sealed class VirtualKeyStateTests
{
    private static readonly DateTimeOffset Noon = new(2026, 11, 30, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Admit_RpmReached_RateLimitedUntilTheWindowEnds()
    {
        var state = State(rpm: 2, budget: null);

        Assert.Equal(KeyVerdict.Admitted, state.Admit(Noon).Verdict);
        Assert.Equal(KeyVerdict.Admitted, state.Admit(Noon.AddSeconds(10)).Verdict);
        var limited = state.Admit(Noon.AddSeconds(15));

        Assert.Equal(KeyVerdict.RateLimited, limited.Verdict);
        Assert.Equal(TimeSpan.FromSeconds(45), limited.RetryAfter);
        Assert.Equal(KeyVerdict.Admitted, state.Admit(Noon.AddMinutes(1)).Verdict);
    }

    [Fact]
    public void Admit_BudgetSpent_ExhaustedUntilTheNextMonth()
    {
        var state = State(rpm: null, budget: 1m);
        Assert.Equal(1m, state.Admit(Noon).BudgetLeftUsd);

        state.Spend(0.75m, Noon);
        Assert.Equal(0.25m, state.Admit(Noon).BudgetLeftUsd);
        state.Spend(0.5m, Noon);

        Assert.Equal(KeyVerdict.BudgetExhausted, state.Admit(Noon).Verdict);
        Assert.Equal(1.25m, state.SpentThisMonth(Noon));
        var december = new DateTimeOffset(2026, 12, 1, 0, 0, 0, TimeSpan.Zero);
        Assert.Equal(KeyVerdict.Admitted, state.Admit(december).Verdict);
        Assert.Equal(0m, state.SpentThisMonth(december));
    }

    [Fact]
    public void Admit_BudgetExhausted_DoesNotCountAgainstRpm()
    {
        var state = State(rpm: 1, budget: 0m);

        Assert.Equal(KeyVerdict.BudgetExhausted, state.Admit(Noon).Verdict);
        Assert.Equal(KeyVerdict.BudgetExhausted, state.Admit(Noon).Verdict);
    }

    [Fact]
    public void Hash_SameSecretSameHash_DifferentSecretsDiffer()
    {
        var secret = VirtualKeySecret.Create();

        Assert.StartsWith(VirtualKeySecret.Prefix, secret, StringComparison.Ordinal);
        Assert.True(secret.Length >= 40);
        Assert.True(VirtualKeySecret.Same(VirtualKeySecret.Hash(secret), VirtualKeySecret.Hash(secret)));
        Assert.False(VirtualKeySecret.Same(VirtualKeySecret.Hash(secret), VirtualKeySecret.Hash(VirtualKeySecret.Create())));
        Assert.NotEqual(VirtualKeySecret.CreateId(), VirtualKeySecret.CreateId());
    }

    private static VirtualKeyState State(int? rpm, decimal? budget) =>
        new(new VirtualKey("vk-1", "t", new byte[32], [], [], rpm, budget, false, Noon), VirtualKeyState.MonthOf(Noon), 0m);
}
