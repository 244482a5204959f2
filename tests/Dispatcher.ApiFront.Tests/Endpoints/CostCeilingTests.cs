using System.Net;
using Dispatcher.ApiFront.Tests.TestHost;
using Dispatcher.FakeUpstream;

namespace Dispatcher.ApiFront.Tests.Endpoints;

[Collection(DispatcherCollection.Name)]
public sealed class CostCeilingTests
{
    private readonly DispatcherFixture _node;

    public CostCeilingTests(DispatcherFixture node)
    {
        _node = node;
        _node.Reset();
    }

    [Fact]
    public async Task Complete_FallbackPricierThanRatioAllows_SkippedAsCostCeiling()
    {
        _node.Upstream.Enqueue("backup-model", FakeBehavior.Status(503));
        _node.Upstream.Enqueue("backup-model", FakeBehavior.Status(503));

        using var response = await _node.Http.SendAsync(ChatBodies.Post(ChatBodies.Simple("thrifty")));

        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        Assert.Equal("backup=server_error;backup=server_error;primary=cost_ceiling", ChatBodies.Header(response, "x-dispatcher-fallback-reasons"));
        Assert.Equal(0, _node.Upstream.CallCount("primary-model"));
    }

    [Fact]
    public async Task Complete_CeilingHeaderBelowFirstModelsEstimate_SkipsToCheaperModel()
    {
        // primary: 2.5/10 USD per MTok, 1000 expected output tokens -> about 0.01 USD; backup: about 0.0006 USD.
        using var request = ChatBodies.Post(ChatBodies.Simple("chain"));
        request.Headers.Add("x-dispatcher-max-cost-usd", "0.002");

        using var response = await _node.Http.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("backup", ChatBodies.Header(response, "x-dispatcher-model"));
        Assert.Equal("primary=cost_ceiling", ChatBodies.Header(response, "x-dispatcher-fallback-reasons"));
        Assert.Equal(0, _node.Upstream.CallCount("primary-model"));
    }

    [Fact]
    public async Task Complete_CeilingNoModelMeets_400CostCeiling()
    {
        using var request = ChatBodies.Post(ChatBodies.Simple("chain"));
        request.Headers.Add("x-dispatcher-max-cost-usd", "0.0000001");

        using var response = await _node.Http.SendAsync(request);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("cost_ceiling", await FallbackTests.ErrorCodeAsync(response));
        Assert.Equal(0, _node.Upstream.TotalCalls);
    }

    [Fact]
    public async Task Complete_CeilingHeaderNotANumber_400()
    {
        using var request = ChatBodies.Post(ChatBodies.Simple("chain"));
        request.Headers.Add("x-dispatcher-max-cost-usd", "cheap");

        using var response = await _node.Http.SendAsync(request);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }
}
