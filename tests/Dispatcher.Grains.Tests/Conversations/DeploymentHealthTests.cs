using Dispatcher.Grains.Configuration;
using Dispatcher.Grains.Providers;
using Dispatcher.Grains.Routing;
using Dispatcher.TestSupport;

using Xunit;

namespace Dispatcher.Grains.Tests.Conversations;

public sealed class DeploymentHealthTests
{
    private readonly ManualTimeProvider _time = new();

    [Fact]
    public void FirstTokenP95_FewerThan16Samples_Null()
    {
        var health = new DeploymentHealth(_time);
        for (var i = 0; i < 15; i++)
        {
            health.RecordFirstToken(TimeSpan.FromMilliseconds(100));
        }

        Assert.Null(health.FirstTokenP95());
    }

    [Fact]
    public void FirstTokenP95_HundredSamples_The95th()
    {
        var health = new DeploymentHealth(_time);
        for (var i = 100; i >= 1; i--)
        {
            health.RecordFirstToken(TimeSpan.FromMilliseconds(i * 10));
        }

        Assert.Equal(TimeSpan.FromMilliseconds(950), health.FirstTokenP95());
    }

    [Fact]
    public void HealthyFor_BreakerOpen_False()
    {
        var health = new DeploymentHealth(_time);
        _time.Advance(TimeSpan.FromHours(1));
        var breaker = new CircuitBreaker(new BreakerOptions { MinimumThroughput = 1, FailureRatio = 0.5 }, _time);
        breaker.RecordFailure();

        Assert.Equal(BreakerState.Open, breaker.State);
        Assert.False(health.HealthyFor(TimeSpan.FromMinutes(1), breaker));
        Assert.True(health.HealthyFor(TimeSpan.FromMinutes(1), new CircuitBreaker(new BreakerOptions(), _time)));
    }
}
