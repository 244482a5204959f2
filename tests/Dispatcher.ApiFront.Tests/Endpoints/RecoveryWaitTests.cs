using System.Net;
using Dispatcher.ApiFront.Tests.TestHost;

namespace Dispatcher.ApiFront.Tests.Endpoints;

[Collection(DispatcherCollection.Name)]
public sealed class RecoveryWaitTests
{
    private readonly DispatcherFixture _node;

    public RecoveryWaitTests(DispatcherFixture node)
    {
        _node = node;
        _node.Reset();
    }

    [Fact]
    public async Task Complete_OnlyCandidateCoolingDownBriefly_WaitsForItInsteadOfFailing()
    {
        // The metered key allows one request per minute window: put the clock 300 ms before the next window.
        var now = _node.Clock.GetUtcNow();
        _node.Clock.SetUtcNow(new DateTimeOffset((now.UtcTicks / TimeSpan.TicksPerMinute + 2) * TimeSpan.TicksPerMinute, TimeSpan.Zero) - TimeSpan.FromMilliseconds(300));
        using var first = await _node.Http.SendAsync(ChatBodies.Post(ChatBodies.Simple("metered")));

        var pending = _node.Http.SendAsync(ChatBodies.Post(ChatBodies.Simple("metered")));
        using var waiting = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await _node.Clock.WaitForTimerAsync(TimeSpan.FromMilliseconds(300), waiting.Token);
        Assert.Equal(1, _node.Upstream.CallCount("metered-model"));
        _node.Clock.Advance(TimeSpan.FromMilliseconds(300));
        using var second = await pending;

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        Assert.Equal("metered=budget_exhausted", ChatBodies.Header(second, "x-dispatcher-fallback-reasons"));
        Assert.Equal("2", ChatBodies.Header(second, "x-dispatcher-attempts"));
        Assert.Equal(2, _node.Upstream.CallCount("metered-model"));
    }

    [Fact]
    public async Task Complete_OnlyCandidateCoolingDownLong_FailsAt429WithRetryAfter()
    {
        var now = _node.Clock.GetUtcNow();
        _node.Clock.SetUtcNow(new DateTimeOffset((now.UtcTicks / TimeSpan.TicksPerMinute + 2) * TimeSpan.TicksPerMinute, TimeSpan.Zero));
        using var first = await _node.Http.SendAsync(ChatBodies.Post(ChatBodies.Simple("metered")));

        using var second = await _node.Http.SendAsync(ChatBodies.Post(ChatBodies.Simple("metered")));

        Assert.Equal(HttpStatusCode.TooManyRequests, second.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(60), second.Headers.RetryAfter?.Delta);
        Assert.Equal(1, _node.Upstream.CallCount("metered-model"));
    }
}
