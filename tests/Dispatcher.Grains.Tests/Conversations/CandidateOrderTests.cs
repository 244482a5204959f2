using Dispatcher.Grains.Configuration;
using Dispatcher.Grains.Conversations;
using Dispatcher.Grains.Providers;
using Dispatcher.Grains.Routing;
using Dispatcher.Grains.Tests.Providers;
using Dispatcher.TestSupport;

using Xunit;

namespace Dispatcher.Grains.Tests.Conversations;

public sealed class CandidateOrderTests
{
    private readonly ManualTimeProvider _time = new(new DateTimeOffset(2026, 11, 22, 5, 0, 0, TimeSpan.Zero));
    private readonly ModelDeployment[] _chain;

    public CandidateOrderTests()
    {
        var provider = new ProviderActor("alpha", new UnusedAdapter(), ["sk-a"], null, null, new BreakerOptions(), new TestAuthority(_time), _time);
        _chain = new[] { "a", "b", "c" }.Select(alias => new ModelDeployment(alias, new ModelOptions { Provider = "alpha", UpstreamModel = alias }, provider, _time)).ToArray();
    }

    [Fact]
    public void For_NoPin_ChainAsConfigured()
    {
        Assert.Equal(["a", "b", "c"], Order(new RouteOptions(), null));
    }

    [Fact]
    public void For_PinnedToThird_PinnedFirstThenTheRestInOrder()
    {
        Assert.Equal(["c", "a", "b"], Order(new RouteOptions(), "c"));
    }

    [Fact]
    public void For_PinOnModelNotInChain_ChainAsConfigured()
    {
        Assert.Equal(["a", "b", "c"], Order(new RouteOptions(), "elsewhere"));
    }

    [Fact]
    public void For_FailPolicy_OnlyThePinnedModel()
    {
        Assert.Equal(["b"], Order(new RouteOptions { OnPinnedFailure = "Fail" }, "b"));
        Assert.Equal(["a"], Order(new RouteOptions { OnPinnedFailure = "fail" }, "a"));
    }

    [Fact]
    public void For_ReturnToPrimary_PrimaryNotHealthyLongEnough_PinnedFirst()
    {
        _chain[0].Health.RecordFailure();
        _time.Advance(TimeSpan.FromMinutes(4));

        Assert.Equal(["b", "a", "c"], Order(new RouteOptions { ReturnToPrimaryAfter = TimeSpan.FromMinutes(5) }, "b"));
    }

    [Fact]
    public void For_ReturnToPrimary_PrimaryHealthyLongEnough_ChainAsConfigured()
    {
        _chain[0].Health.RecordFailure();
        _time.Advance(TimeSpan.FromMinutes(5));

        Assert.Equal(["a", "b", "c"], Order(new RouteOptions { ReturnToPrimaryAfter = TimeSpan.FromMinutes(5) }, "b"));
        Assert.Equal(["a", "b"], Order(new RouteOptions { ReturnToPrimaryAfter = TimeSpan.FromMinutes(5), OnPinnedFailure = "Fail" }, "b"));
    }

    private string[] Order(RouteOptions options, string? pinned)
    {
        var route = new Route("r", _chain, options);
        var now = _time.GetUtcNow();
        var pin = pinned is null ? null : new ConversationPin(ConversationKey.For(null, "s"), pinned, "alpha", 1, [], now, now, now.AddHours(1), 1);
        return CandidateOrder.For(route, pin).Select(d => d.Alias).ToArray();
    }
}
