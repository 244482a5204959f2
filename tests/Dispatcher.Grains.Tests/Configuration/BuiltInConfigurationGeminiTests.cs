using Dispatcher.Grains.Configuration;
using Xunit;

namespace Dispatcher.Grains.Tests.Configuration;

public sealed class BuiltInConfigurationGeminiTests
{
    [Fact]
    public void PostConfigure_GeminiKeySet_GeminiProviderOnItsDefaultEndpoint()
    {
        var options = new DispatcherOptions();

        new BuiltInConfiguration(name => name == "GEMINI_API_KEY" ? "g-key" : null).PostConfigure(null, options);

        var provider = Assert.Single(options.Providers);
        Assert.Equal("gemini", provider.Key);
        Assert.Equal(ProviderKinds.Gemini, provider.Value.Kind);
        Assert.Null(provider.Value.BaseUrl);
        Assert.Equal(["env:GEMINI_API_KEY"], provider.Value.ApiKeys);
        Assert.Equal(["gemini-2.5-flash"], options.Routes["default"].Chain);
        Assert.True(new DispatcherOptionsValidator(name => name == "GEMINI_API_KEY" ? "g-key" : null).Validate(null, options).Succeeded);
    }
}
