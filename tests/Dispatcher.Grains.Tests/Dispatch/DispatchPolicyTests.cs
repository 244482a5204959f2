using Dispatcher.Grains.Dispatch;
using Dispatcher.Providers;
using Xunit;

namespace Dispatcher.Grains.Tests.Dispatch;

public sealed class DispatchPolicyTests
{
    private static readonly Dictionary<FailureKind, DispatchAction> Table = new()
    {
        [FailureKind.None] = DispatchAction.Served,
        [FailureKind.RateLimited] = DispatchAction.RotateKey,
        [FailureKind.QuotaExhausted] = DispatchAction.RotateKey,
        [FailureKind.AuthFailed] = DispatchAction.RotateKey,
        [FailureKind.ServerError] = DispatchAction.RetrySame,
        [FailureKind.ConnectionFailed] = DispatchAction.RetrySame,
        [FailureKind.Timeout] = DispatchAction.NextCandidate,
        [FailureKind.FirstTokenTimeout] = DispatchAction.NextCandidate,
        [FailureKind.StreamStalled] = DispatchAction.NextCandidate,
        [FailureKind.StreamCut] = DispatchAction.NextCandidate,
        [FailureKind.InvalidResponse] = DispatchAction.NextCandidate,
        [FailureKind.ModelNotFound] = DispatchAction.NextCandidate,
        [FailureKind.ContextOverflow] = DispatchAction.NextCandidate,
        [FailureKind.BreakerOpen] = DispatchAction.NextCandidate,
        [FailureKind.BudgetExhausted] = DispatchAction.NextCandidate,
        [FailureKind.CapabilityMismatch] = DispatchAction.NextCandidate,
        [FailureKind.CostCeiling] = DispatchAction.NextCandidate,
        [FailureKind.SchemaViolation] = DispatchAction.NextCandidate,
        [FailureKind.ContentFiltered] = DispatchAction.FailFast,
        [FailureKind.InvalidRequest] = DispatchAction.FailFast,
        [FailureKind.Cancelled] = DispatchAction.FailFast,
    };

    public static TheoryData<FailureKind> EveryKind() => new(Enum.GetValues<FailureKind>());

    [Theory]
    [MemberData(nameof(EveryKind))]
    public void Decide_EveryKindWithoutContentFilterFallback_FollowsTable(FailureKind kind)
    {
        Assert.True(Table.TryGetValue(kind, out var expected), $"{kind} is missing from the expected table");

        Assert.Equal(expected, DispatchPolicy.Decide(kind, contentFilterFallback: false));
    }

    [Theory]
    [MemberData(nameof(EveryKind))]
    public void Decide_ContentFilterFallbackOn_ChangesOnlyContentFiltered(FailureKind kind)
    {
        var expected = kind == FailureKind.ContentFiltered ? DispatchAction.NextCandidate : Table[kind];

        Assert.Equal(expected, DispatchPolicy.Decide(kind, contentFilterFallback: true));
    }

    [Fact]
    public void Decide_ContentFiltered_FailsFastUnlessRouteOptsIn()
    {
        Assert.Equal(DispatchAction.FailFast, DispatchPolicy.Decide(FailureKind.ContentFiltered, contentFilterFallback: false));
        Assert.Equal(DispatchAction.NextCandidate, DispatchPolicy.Decide(FailureKind.ContentFiltered, contentFilterFallback: true));
    }

    [Theory]
    [MemberData(nameof(EveryKind))]
    public void Decide_OnlyNoneServes(FailureKind kind)
    {
        var served = DispatchPolicy.Decide(kind, contentFilterFallback: true) == DispatchAction.Served;

        Assert.Equal(kind == FailureKind.None, served);
    }
}
