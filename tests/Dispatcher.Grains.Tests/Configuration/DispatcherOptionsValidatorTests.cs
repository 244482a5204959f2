using Dispatcher.Grains.Configuration;
using Microsoft.Extensions.Options;
using Xunit;

namespace Dispatcher.Grains.Tests.Configuration;

public sealed class DispatcherOptionsValidatorTests
{
    private static readonly Dictionary<string, string> Variables = new() { ["OPENAI_API_KEY"] = "sk-from-env" };

    [Fact]
    public void Validate_ValidConfiguration_Succeeds()
    {
        var result = Validate(Valid());

        Assert.True(result.Succeeded, result.FailureMessage);
    }

    [Fact]
    public void Validate_KeylessOpenAiCompatibleServer_Succeeds()
    {
        var options = Valid();
        options.Providers["p"].ApiKeys = [];

        Assert.True(Validate(options).Succeeded);
    }

    [Theory]
    [InlineData("claude")]
    [InlineData("open-ai")]
    public void Validate_UnknownKind_NamesKindPath(string kind)
    {
        var options = Valid();
        options.Providers["p"].Kind = kind;

        var failure = Assert.Single(Failures(options));

        Assert.StartsWith("Dispatcher:Providers:p:Kind", failure, StringComparison.Ordinal);
        Assert.Contains("unknown", failure, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("anthropic")]
    [InlineData("Gemini")]
    public void Validate_NativeKindWithoutBaseUrl_UsesItsDefaultEndpoint(string kind)
    {
        var options = Valid();
        options.Providers["p"].Kind = kind;
        options.Providers["p"].BaseUrl = null;

        Assert.True(Validate(options).Succeeded);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("  ")]
    public void Validate_MissingKind_NamesKindPath(string? kind)
    {
        var options = Valid();
        options.Providers["p"].Kind = kind;

        Assert.Contains(Failures(options), f => f.StartsWith("Dispatcher:Providers:p:Kind is required", StringComparison.Ordinal));
    }

    [Fact]
    public void Validate_KindCaseInsensitive_Succeeds()
    {
        var options = Valid();
        options.Providers["p"].Kind = "OpenAI";

        Assert.True(Validate(options).Succeeded);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("api.openai.com/v1")]
    [InlineData("/v1")]
    [InlineData("ftp://example.com/v1")]
    [InlineData("not a url")]
    public void Validate_BadBaseUrl_NamesBaseUrlPath(string? baseUrl)
    {
        var options = Valid();
        options.Providers["p"].BaseUrl = baseUrl;

        var failure = Assert.Single(Failures(options));

        Assert.StartsWith("Dispatcher:Providers:p:BaseUrl", failure, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_SimulatedWithoutBaseUrl_Succeeds()
    {
        var options = Valid();
        options.Providers["sim"] = new ProviderOptions { Kind = ProviderKinds.Simulated };

        Assert.True(Validate(options).Succeeded);
    }

    [Theory]
    [InlineData("sk-literal-secret", "env:MISSING_KEY", "Dispatcher:Providers:p:ApiKeys:1 ", "MISSING_KEY")]
    [InlineData("env:MISSING_KEY", "env:OPENAI_API_KEY", "Dispatcher:Providers:p:ApiKeys:0 ", "MISSING_KEY")]
    [InlineData("", "sk-literal-secret", "Dispatcher:Providers:p:ApiKeys:0 ", "empty")]
    public void Validate_EmptyKeyOrEnvReferenceUnset_NamesApiKeyIndexWithoutSecrets(string first, string second, string path, string named)
    {
        var options = Valid();
        options.Providers["p"].ApiKeys = [first, second];

        var failure = Assert.Single(Failures(options));

        Assert.StartsWith(path, failure, StringComparison.Ordinal);
        Assert.Contains(named, failure, StringComparison.Ordinal);
        Assert.DoesNotContain("sk-literal-secret", failure, StringComparison.Ordinal);
        Assert.DoesNotContain("sk-from-env", failure, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_EnvReferenceSet_Succeeds()
    {
        var options = Valid();
        options.Providers["p"].ApiKeys = ["env:OPENAI_API_KEY"];

        Assert.True(Validate(options).Succeeded);
    }

    [Fact]
    public void Validate_ChainNamesUnknownAlias_NamesChainIndex()
    {
        var options = Valid();
        options.Routes["r"].Chain = ["fast", "ghost"];

        var failure = Assert.Single(Failures(options));

        Assert.StartsWith("Dispatcher:Routes:r:Chain:1 ", failure, StringComparison.Ordinal);
        Assert.Contains("ghost", failure, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_EmptyChain_NamesChain()
    {
        var options = Valid();
        options.Routes["r"].Chain = [];

        Assert.StartsWith("Dispatcher:Routes:r:Chain", Assert.Single(Failures(options)), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("nowhere")]
    public void Validate_ModelNamesUnknownProvider_NamesProviderPath(string? provider)
    {
        var options = Valid();
        options.Models["fast"].Provider = provider;

        Assert.StartsWith("Dispatcher:Models:fast:Provider", Assert.Single(Failures(options)), StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_NegativePrice_NamesModel()
    {
        var options = Valid();
        options.Models["fast"].OutputPricePerMTok = -1m;

        Assert.StartsWith("Dispatcher:Models:fast", Assert.Single(Failures(options)), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("InputPricePerMTok")]
    [InlineData("OutputPricePerMTok")]
    [InlineData("Timeouts:FirstToken")]
    [InlineData("Timeouts:Idle")]
    [InlineData("Timeouts:Total")]
    public void Validate_BadModelValue_NamesFullKeyPath(string key)
    {
        var options = Valid();
        var model = options.Models["fast"];
        switch (key)
        {
            case "InputPricePerMTok": model.InputPricePerMTok = -0.5m; break;
            case "OutputPricePerMTok": model.OutputPricePerMTok = -0.5m; break;
            case "Timeouts:FirstToken": model.Timeouts.FirstToken = TimeSpan.Zero; break;
            case "Timeouts:Idle": model.Timeouts.Idle = TimeSpan.FromSeconds(-1); break;
            default: model.Timeouts.Total = TimeSpan.Zero; break;
        }

        Assert.StartsWith("Dispatcher:Models:fast:" + key, Assert.Single(Failures(options)), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0, 30, 300)]
    [InlineData(15, -1, 300)]
    [InlineData(15, 30, 0)]
    public void Validate_NonPositiveTimeout_NamesModelTimeouts(int firstToken, int idle, int total)
    {
        var options = Valid();
        options.Models["fast"].Timeouts = new ModelTimeoutOptions
        {
            FirstToken = TimeSpan.FromSeconds(firstToken), Idle = TimeSpan.FromSeconds(idle), Total = TimeSpan.FromSeconds(total),
        };

        Assert.StartsWith("Dispatcher:Models:fast:Timeouts", Assert.Single(Failures(options)), StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_NonPositiveRouteDeadline_NamesDeadline()
    {
        var options = Valid();
        options.Routes["r"].Deadline = TimeSpan.Zero;

        Assert.StartsWith("Dispatcher:Routes:r:Deadline", Assert.Single(Failures(options)), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0, null)]
    [InlineData(null, -5)]
    public void Validate_NonPositiveBudget_NamesRpmAndTpm(int? rpm, int? tpm)
    {
        var options = Valid();
        options.Providers["p"].Rpm = rpm;
        options.Providers["p"].Tpm = tpm;

        Assert.StartsWith("Dispatcher:Providers:p:Rpm", Assert.Single(Failures(options)), StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_BadBreaker_NamesBreaker()
    {
        var options = Valid();
        options.Providers["p"].Breaker.FailureRatio = 0;

        Assert.StartsWith("Dispatcher:Providers:p:Breaker", Assert.Single(Failures(options)), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Redis")]
    [InlineData("Orleans")]
    public void Validate_UnknownClusterMode_Refused(string mode)
    {
        var options = Valid();
        options.Cluster.Mode = mode;

        var failure = Assert.Single(Failures(options));

        Assert.StartsWith("Dispatcher:Cluster:Mode", failure, StringComparison.Ordinal);
        Assert.Contains("Embedded", failure, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Postgres")]
    [InlineData("postgres")]
    public void Validate_PostgresModeWithoutConnectionString_RefusedNamingTheKey(string mode)
    {
        var options = Valid();
        options.Cluster.Mode = mode;

        var failure = Assert.Single(Failures(options));

        Assert.StartsWith("Dispatcher:Cluster:ConnectionString", failure, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_PostgresModeWithConnectionString_Accepted()
    {
        var options = Valid();
        options.Cluster.Mode = "Postgres";
        options.Cluster.ConnectionString = "Host=db;Username=dispatcher;Database=dispatcher";

        var result = Validate(options);
        Assert.True(result.Succeeded, result.FailureMessage);
    }

    [Fact]
    public void Validate_ReportIntervalAboveAQuarterOfTheLeaseTtl_Refused()
    {
        var options = Valid();
        options.Cluster.LeaseTtl = TimeSpan.FromSeconds(2);
        options.Cluster.ReportInterval = TimeSpan.FromSeconds(1);

        var failure = Assert.Single(Failures(options));

        Assert.Contains("Dispatcher:Cluster:ReportInterval", failure, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_SeveralProblems_ReportsEach()
    {
        var options = Valid();
        options.Providers["p"].Kind = "carrier-pigeon";
        options.Routes["r"].Chain = ["ghost", "fast", "phantom"];

        var failures = Failures(options);

        Assert.Contains(failures, f => f.StartsWith("Dispatcher:Providers:p:Kind", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("Dispatcher:Routes:r:Chain:0 ", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("Dispatcher:Routes:r:Chain:2 ", StringComparison.Ordinal));
    }

    [Fact]
    public void Validate_NoProviders_Refused()
    {
        var options = new DispatcherOptions();

        Assert.StartsWith("Dispatcher:Providers", Assert.Single(Failures(options)), StringComparison.Ordinal);
    }

    private static DispatcherOptions Valid()
    {
        var options = new DispatcherOptions();
        options.Providers["p"] = new ProviderOptions { Kind = "openai", BaseUrl = "https://api.openai.com/v1", ApiKeys = ["sk-literal"], Rpm = 500 };
        options.Models["fast"] = new ModelOptions { Provider = "p", UpstreamModel = "gpt-4o-mini", InputPricePerMTok = 0.15m, OutputPricePerMTok = 0.6m };
        options.Models["smart"] = new ModelOptions { Provider = "P", UpstreamModel = "gpt-4o" };
        options.Routes["r"] = new RouteOptions { Chain = ["smart", "FAST"] };
        return options;
    }

    private static ValidateOptionsResult Validate(DispatcherOptions options) =>
        new DispatcherOptionsValidator(name => Variables.GetValueOrDefault(name)).Validate(null, options);

    private static List<string> Failures(DispatcherOptions options)
    {
        var result = Validate(options);
        Assert.True(result.Failed);
        return result.Failures!.ToList();
    }
}
