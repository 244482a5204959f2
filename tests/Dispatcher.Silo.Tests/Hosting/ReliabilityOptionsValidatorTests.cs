using Dispatcher.Grains.Configuration;
using Dispatcher.Silo.Hosting;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Hosting;
using Xunit;

namespace Dispatcher.Silo.Tests.Hosting;

public sealed class ReliabilityOptionsValidatorTests
{
    [Theory]
    [InlineData("Production", false, true)]
    [InlineData("Production", true, false)]
    [InlineData("Development", false, false)]
    [InlineData("Staging", false, false)]
    public void Validate_ChaosEnabled_RefusedOnlyInProductionWithoutTheAllowFlag(string environment, bool allow, bool refused)
    {
        var options = new DispatcherOptions { Chaos = new ChaosOptions { Enabled = true, AllowInProduction = allow } };

        var result = new ReliabilityOptionsValidator(new Environment(environment)).Validate(null, options);

        Assert.Equal(refused, result.Failed);
    }

    [Fact]
    public void Validate_NoHostEnvironment_CountsAsProduction()
    {
        var options = new DispatcherOptions { Chaos = new ChaosOptions { Enabled = true } };

        Assert.True(new ReliabilityOptionsValidator(null).Validate(null, options).Failed);
    }

    [Fact]
    public void Validate_BadLimits_NameEachKey()
    {
        var options = new DispatcherOptions { MaxRequestHeaderBytes = 100 };
        options.Shutdown.DrainTimeout = TimeSpan.FromSeconds(-1);
        options.Providers["p"] = new ProviderOptions { Chaos = new ProviderChaosOptions { OutcomeRate = 0.5, OutcomeStatus = 200 } };

        var result = new ReliabilityOptionsValidator(new Environment("Development")).Validate(null, options);

        Assert.Contains("Dispatcher:MaxRequestHeaderBytes", result.FailureMessage, StringComparison.Ordinal);
        Assert.Contains("Dispatcher:Shutdown:DrainTimeout", result.FailureMessage, StringComparison.Ordinal);
        Assert.Contains("Dispatcher:Providers:p:Chaos", result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_Defaults_Succeed()
    {
        Assert.True(new ReliabilityOptionsValidator(new Environment("Production")).Validate(null, new DispatcherOptions()).Succeeded);
    }

    private sealed class Environment(string name) : IHostEnvironment
    {
        public string EnvironmentName { get; set; } = name;

        public string ApplicationName { get; set; } = "tests";

        public string ContentRootPath { get; set; } = AppContext.BaseDirectory;

        public IFileProvider ContentRootFileProvider { get; set; } = new NullFileProvider();
    }
}
