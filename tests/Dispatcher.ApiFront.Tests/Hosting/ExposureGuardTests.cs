using Dispatcher.ApiFront.Hosting;
using Microsoft.Extensions.Configuration;

namespace Dispatcher.ApiFront.Tests.Hosting;

public sealed class ExposureGuardTests
{
    [Theory]
    [InlineData("http://127.0.0.1:8080")]
    [InlineData("http://localhost:5000")]
    [InlineData("http://[::1]:80")]
    [InlineData("https://127.0.0.2:443/")]
    public void Check_LoopbackOnly_Passes(string url) =>
        ExposureGuard.Check(Configuration(allowAnonymous: false), [url]);

    [Theory]
    [InlineData("http://0.0.0.0:8080")]
    [InlineData("http://*:8080")]
    [InlineData("http://+:80")]
    [InlineData("http://10.0.0.5:80")]
    [InlineData("http://gateway.example.com:80")]
    public void Check_NonLoopbackWithoutKeys_RefusesNamingTheSwitch(string url)
    {
        var error = Assert.Throws<InvalidOperationException>(() => ExposureGuard.Check(Configuration(allowAnonymous: false), ["http://127.0.0.1:1", url]));

        Assert.Contains(url, error.Message, StringComparison.Ordinal);
        Assert.Contains(ExposureGuard.AllowAnonymousKey, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Check_NonLoopbackWithAdminKey_PassesBecauseKeysAreRequired() =>
        ExposureGuard.Check(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            [ExposureGuard.AdminKeyKey] = "env:DISPATCHER_ADMIN_KEY",
        }).Build(), ["http://0.0.0.0:8080"]);

    [Fact]
    public void Check_NonLoopbackWithAllowAnonymous_Passes() =>
        ExposureGuard.Check(Configuration(allowAnonymous: true), ["http://0.0.0.0:8080"]);

    [Fact]
    public void Build_UrlsOnAllInterfaces_RefusesToStart()
    {
        var error = Assert.Throws<InvalidOperationException>(() => DispatcherHost.Build(["--urls", "http://0.0.0.0:0"]));

        Assert.Contains("loopback only", error.Message, StringComparison.Ordinal);
    }

    private static IConfiguration Configuration(bool allowAnonymous) =>
        new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            [ExposureGuard.AllowAnonymousKey] = allowAnonymous ? "true" : "false",
        }).Build();
}
