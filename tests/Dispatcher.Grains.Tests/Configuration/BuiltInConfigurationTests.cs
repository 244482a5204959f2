using Dispatcher.Grains.Configuration;
using Xunit;

namespace Dispatcher.Grains.Tests.Configuration;

public sealed class BuiltInConfigurationTests
{
    [Fact]
    public void PostConfigure_NoProvidersNoKeys_BuildsDemo()
    {
        var options = Apply(new DispatcherOptions());

        Assert.Equal("demo", options.ConfigurationSource);
        Assert.Equal(["sim-backup", "sim-primary"], options.Providers.Keys.Order(StringComparer.Ordinal));
        Assert.All(options.Providers.Values, p => Assert.Equal(ProviderKinds.Simulated, p.Kind));
        Assert.True(options.Providers["sim-primary"].FailureRate > 0, "the demo's primary must fail now and then to show fallback");
        Assert.Equal(0, options.Providers["sim-backup"].FailureRate);
        Assert.True(options.Routes.ContainsKey("demo"));
        var chain = options.Routes["demo"].Chain;
        Assert.Equal(2, chain.Count);
        Assert.Equal("sim-primary", options.Models[chain[0]].Provider);
        Assert.Equal("sim-backup", options.Models[chain[1]].Provider);
    }

    [Fact]
    public void PostConfigure_Demo_PassesValidation()
    {
        var options = Apply(new DispatcherOptions());

        var result = new DispatcherOptionsValidator(_ => null).Validate(null, options);

        Assert.True(result.Succeeded, result.FailureMessage);
    }

    [Fact]
    public void PostConfigure_OpenAiKeySet_BuildsOpenAiProviderFromEnvironment()
    {
        var options = Apply(new DispatcherOptions(), ("OPENAI_API_KEY", "sk-test"));

        Assert.Equal("environment", options.ConfigurationSource);
        var provider = Assert.Single(options.Providers);
        Assert.Equal("openai", provider.Key);
        Assert.Equal(ProviderKinds.OpenAi, provider.Value.Kind);
        Assert.Equal("https://api.openai.com/v1", provider.Value.BaseUrl);
        Assert.Equal(["env:OPENAI_API_KEY"], provider.Value.ApiKeys);
        Assert.Equal(["gpt-4o", "gpt-4o-mini"], options.Models.Keys.Order(StringComparer.Ordinal));
        Assert.All(options.Models.Values, m => Assert.Equal("openai", m.Provider));
        Assert.Equal("gpt-4o", options.Models["gpt-4o"].UpstreamModel);
        Assert.Equal(["default"], options.Routes.Keys);
        Assert.Equal(["gpt-4o"], options.Routes["default"].Chain);
    }

    [Fact]
    public void PostConfigure_OpenAiKeySet_NeverCopiesTheSecret()
    {
        var options = Apply(new DispatcherOptions(), ("OPENAI_API_KEY", "sk-test-secret"));

        Assert.DoesNotContain(options.Providers.Values.SelectMany(p => p.ApiKeys), key => key.Contains("sk-test-secret", StringComparison.Ordinal));
    }

    [Fact]
    public void PostConfigure_SeveralKeys_OneProviderEachAndDefaultChainInOrder()
    {
        var options = Apply(new DispatcherOptions(), ("MISTRAL_API_KEY", "m"), ("OPENAI_API_KEY", "o"), ("DEEPSEEK_API_KEY", "d"));

        Assert.Equal("environment", options.ConfigurationSource);
        Assert.Equal(["deepseek", "mistral", "openai"], options.Providers.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(["gpt-4o", "deepseek-chat", "mistral-large-latest"], options.Routes["default"].Chain);
        Assert.Equal(["env:DEEPSEEK_API_KEY"], options.Providers["deepseek"].ApiKeys);
    }

    [Fact]
    public void PostConfigure_EnvironmentConfiguration_PassesValidation()
    {
        (string, string)[] variables = [("OPENAI_API_KEY", "o"), ("GROQ_API_KEY", "g"), ("OPENROUTER_API_KEY", "r")];
        var options = Apply(new DispatcherOptions(), variables);

        var result = new DispatcherOptionsValidator(name => Lookup(variables, name)).Validate(null, options);

        Assert.True(result.Succeeded, result.FailureMessage);
    }

    [Fact]
    public void PostConfigure_EmptyKeyVariable_Ignored()
    {
        var options = Apply(new DispatcherOptions(), ("OPENAI_API_KEY", string.Empty));

        Assert.Equal("demo", options.ConfigurationSource);
    }

    [Fact]
    public void PostConfigure_AnthropicKeySet_AnthropicProviderOnItsDefaultEndpoint()
    {
        var options = Apply(new DispatcherOptions(), ("ANTHROPIC_API_KEY", "secret"));

        Assert.Equal("environment", options.ConfigurationSource);
        Assert.Equal(ProviderKinds.Anthropic, options.Providers["anthropic"].Kind);
        Assert.Null(options.Providers["anthropic"].BaseUrl);
        Assert.Equal(["claude-sonnet-4-5"], options.Routes["default"].Chain);
    }

    [Fact]
    public void PostConfigure_ProvidersConfigured_Untouched()
    {
        var configured = new DispatcherOptions();
        configured.Providers["mine"] = new ProviderOptions { Kind = "openai", BaseUrl = "http://localhost:8000/v1" };
        configured.Models["local"] = new ModelOptions { Provider = "mine" };
        configured.Routes["r"] = new RouteOptions { Chain = ["local"] };

        var options = Apply(configured, ("OPENAI_API_KEY", "sk-test"));

        Assert.Equal("configured", options.ConfigurationSource);
        Assert.Equal(["mine"], options.Providers.Keys);
        Assert.Equal(["local"], options.Models.Keys);
        Assert.Equal(["r"], options.Routes.Keys);
    }

    [Fact]
    public void PostConfigure_EnvironmentKeepsConfiguredDefaultRoute()
    {
        var options = new DispatcherOptions();
        options.Models["mini"] = new ModelOptions { Provider = "openai", UpstreamModel = "gpt-4o-mini" };
        options.Routes["default"] = new RouteOptions { Chain = ["mini"] };

        Apply(options, ("OPENAI_API_KEY", "sk-test"));

        Assert.Equal(["mini"], options.Routes["default"].Chain);
        Assert.Equal("gpt-4o-mini", options.Models["mini"].UpstreamModel);
    }

    private static DispatcherOptions Apply(DispatcherOptions options, params (string Name, string Value)[] variables)
    {
        new BuiltInConfiguration(name => Lookup(variables, name)).PostConfigure(null, options);
        return options;
    }

    private static string? Lookup((string Name, string Value)[] variables, string name) =>
        variables.Where(v => v.Name == name).Select(v => v.Value).FirstOrDefault();
}
