using Dispatcher.Grains.Configuration;
using Dispatcher.Grains.Providers;
using Dispatcher.Grains.Routing;
using Dispatcher.Grains.Tests.Providers;
using Dispatcher.Providers;
using Dispatcher.TestSupport;
using Xunit;

namespace Dispatcher.Grains.Tests.Routing;

public sealed class ModelDeploymentTests
{
    private readonly ManualTimeProvider _time = new();
    private readonly ProviderActor _provider;

    public ModelDeploymentTests() =>
        _provider = new ProviderActor("openai", new UnusedAdapter(), ["sk-a"], null, null, new BreakerOptions(), new TestAuthority(_time), _time);

    [Fact]
    public void Constructor_NoUpstreamModel_SendsTheAlias()
    {
        var deployment = new ModelDeployment("gpt-4o", new ModelOptions { Provider = "openai" }, _provider, _time);

        Assert.Equal("gpt-4o", deployment.Upstream.Name);
        Assert.Equal("\"gpt-4o\"", System.Text.Encoding.UTF8.GetString(deployment.Upstream.Json.Span));
    }

    [Fact]
    public void Constructor_TwoAliasesOfOneUpstreamModel_ShareTheDeploymentBreaker()
    {
        var first = new ModelDeployment("a", new ModelOptions { Provider = "openai", UpstreamModel = "gpt-4o" }, _provider, _time);
        var second = new ModelDeployment("b", new ModelOptions { Provider = "openai", UpstreamModel = "gpt-4o" }, _provider, _time);

        Assert.Same(first.Breaker, second.Breaker);
        Assert.Equal(["gpt-4o"], _provider.Snapshot().Deployments.Select(d => d.Model));
    }

    [Fact]
    public void Cost_Usage_PricedPerMillionTokens()
    {
        var options = new ModelOptions { Provider = "openai", InputPricePerMTok = 2.5m, OutputPricePerMTok = 10m };
        var deployment = new ModelDeployment("gpt-4o", options, _provider, _time);

        var cost = deployment.Cost(new TokenUsage(PromptTokens: 1000, CompletionTokens: 500, CachedTokens: 0, ReasoningTokens: 0));

        Assert.Equal(0.0075m, cost);
    }

    [Fact]
    public void Cost_CachedTokensWithCachedPrice_PricedAtIt_ReasoningAtOutputPrice()
    {
        var options = new ModelOptions { Provider = "openai", InputPricePerMTok = 2.5m, CachedInputPricePerMTok = 1.25m, OutputPricePerMTok = 10m };
        var deployment = new ModelDeployment("gpt-4o", options, _provider, _time);

        var cost = deployment.Cost(new TokenUsage(PromptTokens: 1000, CompletionTokens: 500, CachedTokens: 400, ReasoningTokens: 300));

        Assert.Equal(((600 * 2.5m) + (400 * 1.25m) + (500 * 10m)) / 1_000_000m, cost);
    }

    [Fact]
    public void Cost_CachedTokensWithoutCachedPrice_PricedAsInput()
    {
        var options = new ModelOptions { Provider = "openai", InputPricePerMTok = 2.5m, OutputPricePerMTok = 10m };
        var deployment = new ModelDeployment("gpt-4o", options, _provider, _time);

        Assert.Equal(0.0075m, deployment.Cost(new TokenUsage(1000, 500, CachedTokens: 400, ReasoningTokens: 0)));
    }
}
