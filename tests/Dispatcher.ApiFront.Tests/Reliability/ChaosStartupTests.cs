using System.Net;
using Dispatcher.ApiFront.Hosting;
using Dispatcher.Grains.Configuration;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Dispatcher.ApiFront.Tests.Reliability;

/// <summary>Chaos is off by default and refused in production unless explicitly allowed.</summary>
public sealed class ChaosStartupTests : IDisposable
{
    private readonly string _dataDirectory = Path.Combine(Path.GetTempPath(), "dispatcher-chaos-" + Guid.NewGuid().ToString("N"));

    [Fact]
    public async Task Start_ChaosEnabledInProduction_FailsNamingTheAllowKey()
    {
        await using var app = Build("Production", new() { ["Dispatcher:Chaos:Enabled"] = "true" });

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => app.StartAsync());

        Assert.Contains("Dispatcher:Chaos:AllowInProduction", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Start_ChaosAllowedInProduction_StartsWithTheConfiguredInjection()
    {
        await using var app = Build("Production", new()
        {
            ["Dispatcher:Chaos:Enabled"] = "true",
            ["Dispatcher:Chaos:AllowInProduction"] = "true",
            ["Dispatcher:Providers:sim:Chaos:OutcomeRate"] = "0.25",
            ["Dispatcher:Providers:sim:Chaos:OutcomeStatus"] = "502",
        });
        await app.StartAsync();
        using var http = new HttpClient { BaseAddress = new Uri(app.Urls.First()) };

        var settings = await http.GetStringAsync("/v1/dispatcher/chaos");

        Assert.Contains("\"outcome_rate\":0.25", settings, StringComparison.Ordinal);
        Assert.Contains("\"outcome_status\":502", settings, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ChaosApi_ChaosDisabledByDefault_RefusesChangesWith409()
    {
        await using var app = Build("Development", new() { ["Dispatcher:Providers:sim:Chaos:FaultRate"] = "1" });
        await app.StartAsync();
        using var http = new HttpClient { BaseAddress = new Uri(app.Urls.First()) };

        using var put = await http.PutAsync("/v1/dispatcher/chaos", new StringContent("""{"providers":[{"name":"sim","fault_rate":1}]}""", System.Text.Encoding.UTF8, "application/json"));
        using var chat = await http.PostAsync("/v1/chat/completions",
            new StringContent("{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}", System.Text.Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.Conflict, put.StatusCode);
        Assert.Contains("chaos_disabled", await put.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, chat.StatusCode);
        Assert.Equal("1", chat.Headers.GetValues("x-dispatcher-attempts").Single());
    }

    [Fact]
    public async Task Start_ChaosRateOutOfRange_FailsNamingTheProviderKey()
    {
        await using var app = Build("Development", new() { ["Dispatcher:Providers:sim:Chaos:FaultRate"] = "2" });

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => app.StartAsync());

        Assert.Contains("Dispatcher:Providers:sim:Chaos", error.Message, StringComparison.Ordinal);
    }

    public void Dispose()
    {
        if (Directory.Exists(_dataDirectory))
        {
            Directory.Delete(_dataDirectory, recursive: true);
        }
    }

    private WebApplication Build(string environment, Dictionary<string, string?> settings)
    {
        settings["Dispatcher:DataDirectory"] = _dataDirectory;
        settings["Dispatcher:Providers:sim:Kind"] = "simulated";
        settings["Dispatcher:Models:m:Provider"] = "sim";
        settings["Dispatcher:Routes:r:Chain:0"] = "m";
        return DispatcherHost.Build(["--urls", "http://127.0.0.1:0", "--environment", environment], builder =>
        {
            builder.Configuration.AddInMemoryCollection(settings);
            builder.Logging.SetMinimumLevel(LogLevel.Warning);
            builder.Services.RemoveAll<IPostConfigureOptions<DispatcherOptions>>();
            builder.Services.AddSingleton<IPostConfigureOptions<DispatcherOptions>>(new BuiltInConfiguration(static _ => null));
        });
    }
}
