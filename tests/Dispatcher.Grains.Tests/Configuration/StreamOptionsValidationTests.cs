using Dispatcher.Grains.Configuration;
using Microsoft.Extensions.Options;
using Xunit;

namespace Dispatcher.Grains.Tests.Configuration;

public sealed class StreamOptionsValidationTests
{
    [Fact]
    public void Validate_EveryStreamKeySetWell_Succeeds()
    {
        var options = Valid();
        var route = options.Routes["r"];
        route.OnPinnedFailure = "fail";
        route.ReturnToPrimaryAfter = TimeSpan.FromMinutes(5);
        route.SessionIdleTtl = TimeSpan.FromHours(2);
        route.MidStreamContinuation = true;
        route.ContinuationInstruction = "Continue.";
        route.HedgeAfter = "00:00:02";
        options.Models["m"].Timeouts.MinTokensPerSecond = 2;

        var result = Validate(options);

        Assert.True(result.Succeeded, result.FailureMessage);
        Assert.True(route.FailOnPinnedFailure);
        Assert.Equal(TimeSpan.FromSeconds(2), route.FixedHedgeDelay);
    }

    [Fact]
    public void Validate_HedgeAtP95_Succeeds()
    {
        var options = Valid();
        options.Routes["r"].HedgeAfter = "p95";

        Assert.True(Validate(options).Succeeded);
        Assert.True(options.Routes["r"].HedgesAtP95);
    }

    [Theory]
    [InlineData("OnPinnedFailure", "Dispatcher:Routes:r:OnPinnedFailure")]
    [InlineData("HedgeAfter", "Dispatcher:Routes:r:HedgeAfter")]
    [InlineData("HedgeAfterZero", "Dispatcher:Routes:r:HedgeAfter")]
    [InlineData("SessionIdleTtl", "Dispatcher:Routes:r:SessionIdleTtl")]
    [InlineData("ContinuationInstruction", "Dispatcher:Routes:r:ContinuationInstruction")]
    [InlineData("MinTokensPerSecond", "Dispatcher:Models:m:Timeouts:MinTokensPerSecond")]
    [InlineData("ThroughputWindow", "Dispatcher:Models:m:Timeouts:ThroughputWindow")]
    public void Validate_BadValue_NamesTheKeyPath(string key, string path)
    {
        var options = Valid();
        var route = options.Routes["r"];
        var timeouts = options.Models["m"].Timeouts;
        switch (key)
        {
            case "OnPinnedFailure": route.OnPinnedFailure = "Retry"; break;
            case "HedgeAfter": route.HedgeAfter = "soon"; break;
            case "HedgeAfterZero": route.HedgeAfter = "00:00:00"; break;
            case "SessionIdleTtl": route.SessionIdleTtl = TimeSpan.Zero; break;
            case "ContinuationInstruction": route.ContinuationInstruction = " "; break;
            case "MinTokensPerSecond": timeouts.MinTokensPerSecond = 0; break;
            default: timeouts.ThroughputWindow = TimeSpan.Zero; break;
        }

        var result = Validate(options);

        Assert.True(result.Failed);
        var failure = Assert.Single(result.Failures!);
        Assert.StartsWith(path, failure, StringComparison.Ordinal);
    }

    private static DispatcherOptions Valid()
    {
        var options = new DispatcherOptions();
        options.Providers["p"] = new ProviderOptions { Kind = "openai", BaseUrl = "https://api.openai.com/v1", ApiKeys = ["sk-literal"] };
        options.Models["m"] = new ModelOptions { Provider = "p" };
        options.Routes["r"] = new RouteOptions { Chain = ["m"] };
        return options;
    }

    private static ValidateOptionsResult Validate(DispatcherOptions options) => new DispatcherOptionsValidator(_ => null).Validate(null, options);
}
