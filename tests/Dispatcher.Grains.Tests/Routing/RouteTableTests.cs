using System.Buffers;
using Dispatcher.Grains.Configuration;
using Dispatcher.Grains.Providers;
using Dispatcher.Grains.Routing;
using Dispatcher.Grains.Tests.Providers;
using Dispatcher.Providers.Chat;
using Dispatcher.TestSupport;
using Xunit;

namespace Dispatcher.Grains.Tests.Routing;

public sealed class RouteTableTests
{
    private readonly RouteOptions _defaultRoute = new() { Chain = ["smart", "fast"], ContentFilterFallback = true };
    private readonly RouteOptions _cheapRoute = new() { Chain = ["fast", "local"] };
    private readonly RouteTable _table;

    public RouteTableTests()
    {
        var time = new ManualTimeProvider();
        var authority = new TestAuthority(time);
        var openai = new ProviderActor("openai", new UnusedAdapter(), ["sk-a"], null, null, new BreakerOptions(), authority, time);
        var vllm = new ProviderActor("vllm", new UnusedAdapter(), [], null, null, new BreakerOptions(), authority, time);
        var models = new Dictionary<string, ModelDeployment>
        {
            ["fast"] = new("fast", new ModelOptions { Provider = "openai", UpstreamModel = "gpt-4o-mini" }, openai, time),
            ["smart"] = new("smart", new ModelOptions { Provider = "openai", UpstreamModel = "gpt-4o" }, openai, time),
            ["local"] = new("local", new ModelOptions { Provider = "vllm", UpstreamModel = "llama-3.1-8b" }, vllm, time),
        };
        var routes = new Dictionary<string, RouteOptions> { ["default"] = _defaultRoute, ["cheap"] = _cheapRoute };
        _table = new RouteTable(models, routes);
    }

    [Theory]
    [InlineData("default")]
    [InlineData("DEFAULT")]
    [InlineData("Default")]
    public void Resolve_RouteName_ReturnsItsChainAndPolicy(string model)
    {
        var route = Resolve(model, null, out var unknown);

        Assert.NotNull(route);
        Assert.Null(unknown);
        Assert.Equal("default", route.Name);
        Assert.Equal(["smart", "fast"], route.Chain.Select(d => d.Alias));
        Assert.Same(_defaultRoute, route.Options);
    }

    [Theory]
    [InlineData("fast")]
    [InlineData("FAST")]
    public void Resolve_ModelAlias_IsChainOfOneWithDefaultPolicy(string model)
    {
        var route = Resolve(model, null, out _);

        Assert.NotNull(route);
        var deployment = Assert.Single(route.Chain);
        Assert.Equal("fast", deployment.Alias);
        Assert.Equal("gpt-4o-mini", deployment.Upstream.Name);
        Assert.False(route.Options.ContentFilterFallback);
    }

    [Theory]
    [InlineData("gpt-4o")]
    [InlineData("ghost")]
    [InlineData("fast ")]
    public void Resolve_UnknownName_ReturnsNullWithTheName(string model)
    {
        Assert.Null(Resolve(model, null, out var unknown));
        Assert.Equal(model, unknown);
    }

    [Fact]
    public void Resolve_ModelsOnly_IsExplicitChainInOrder()
    {
        var route = Resolve(null, ["local", "Smart", "fast"], out var unknown);

        Assert.NotNull(route);
        Assert.Null(unknown);
        Assert.Equal(["local", "smart", "fast"], route.Chain.Select(d => d.Alias));
        Assert.Equal("local", route.Name);
    }

    [Fact]
    public void Resolve_ModelsWithRepeats_NoDuplicates()
    {
        var route = Resolve(null, ["fast", "smart", "FAST"], out _);

        Assert.NotNull(route);
        Assert.Equal(["fast", "smart"], route.Chain.Select(d => d.Alias));
    }

    [Fact]
    public void Resolve_ModelsNamingUnknownAlias_ReturnsNullWithThatName()
    {
        Assert.Null(Resolve(null, ["fast", "ghost", "smart"], out var unknown));
        Assert.Equal("ghost", unknown);
    }

    [Fact]
    public void Resolve_ModelRouteAndModels_RouteChainFirstWithoutDuplicates()
    {
        var route = Resolve("cheap", ["smart", "fast"], out var unknown);

        Assert.NotNull(route);
        Assert.Null(unknown);
        Assert.Equal(["fast", "local", "smart"], route.Chain.Select(d => d.Alias));
        Assert.Same(_cheapRoute, route.Options);
    }

    [Fact]
    public void Resolve_ModelAliasAndModels_AliasFirst()
    {
        var route = Resolve("smart", ["local", "fast"], out _);

        Assert.NotNull(route);
        Assert.Equal(["smart", "local", "fast"], route.Chain.Select(d => d.Alias));
    }

    [Fact]
    public void Resolve_ModelIsFirstOfModels_ChainIsModels()
    {
        var route = Resolve("fast", ["fast", "smart"], out _);

        Assert.NotNull(route);
        Assert.Equal(["fast", "smart"], route.Chain.Select(d => d.Alias));
    }

    [Fact]
    public void Resolve_ModelLaterInModels_ModelStillFirst()
    {
        var route = Resolve("smart", ["fast", "smart"], out _);

        Assert.NotNull(route);
        Assert.Equal(["smart", "fast"], route.Chain.Select(d => d.Alias));
    }

    [Fact]
    public void Resolve_UnknownModelWithModels_ReturnsNullWithModel()
    {
        Assert.Null(Resolve("ghost", ["fast"], out var unknown));
        Assert.Equal("ghost", unknown);
    }

    [Fact]
    public void ChainOf_RouteAliasOrUnknown_ListsAliases()
    {
        Assert.Equal(["smart", "fast"], _table.ChainOf("default"));
        Assert.Equal(["local"], _table.ChainOf("Local"));
        Assert.Empty(_table.ChainOf("ghost"));
    }

    [Fact]
    public void Names_AreSorted()
    {
        Assert.Equal(["cheap", "default"], _table.RouteNames);
        Assert.Equal(["fast", "local", "smart"], _table.ModelAliases);
        Assert.Equal(3, _table.Deployments.Count());
    }

    [Fact]
    public void Resolve_SameDeploymentAcrossRoutes_SharesBreaker()
    {
        var viaRoute = Resolve("default", null, out _)!.Chain[1];
        var viaAlias = Resolve("fast", null, out _)!.Chain[0];

        Assert.Same(viaAlias, viaRoute);
        Assert.Same(viaAlias.Provider.Deployment("gpt-4o-mini"), viaAlias.Breaker);
    }

    private Route? Resolve(string? model, string[]? models, out string? unknown)
    {
        // RouteTable reads only Model and Models: set them directly rather than through the parser.
        using var request = new ChatRequest(ArrayPool<byte>.Shared.Rent(16), 0) { Model = model, Models = models };
        return _table.Resolve(request, out unknown);
    }
}
