using System.Net;
using System.Text.Json;
using Dispatcher.ApiFront.Hosting;
using Dispatcher.Grains.Configuration;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Dispatcher.ApiFront.Tests.Hosting;

public sealed class StartupTests : IDisposable
{
    private readonly string _dataDirectory = Path.Combine(Path.GetTempPath(), "dispatcher-startup-" + Guid.NewGuid().ToString("N"));

    [Fact]
    public async Task Start_ChainNamesUnknownAlias_FailsNamingTheKeyPath()
    {
        await using var app = Build(new Dictionary<string, string?>
        {
            ["Dispatcher:Providers:p:Kind"] = "simulated",
            ["Dispatcher:Models:m:Provider"] = "p",
            ["Dispatcher:Routes:r:Chain:0"] = "m",
            ["Dispatcher:Routes:r:Chain:1"] = "nope",
        });

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => app.StartAsync());

        Assert.Contains("Dispatcher:Routes:r:Chain:1", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Start_UnknownKindAndUnsetKeyVariable_FailNamingBothKeys()
    {
        await using var app = Build(new Dictionary<string, string?>
        {
            ["Dispatcher:Providers:p:Kind"] = "carrier-pigeon",
            ["Dispatcher:Providers:q:Kind"] = "openai",
            ["Dispatcher:Providers:q:BaseUrl"] = "https://api.example.com/v1",
            ["Dispatcher:Providers:q:ApiKeys:0"] = "env:DISPATCHER_TEST_SURELY_UNSET_VARIABLE",
        });

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => app.StartAsync());

        Assert.Contains("Dispatcher:Providers:p:Kind", error.Message, StringComparison.Ordinal);
        Assert.Contains("Dispatcher:Providers:q:ApiKeys:0", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Start_NothingConfiguredNoKeys_ServesTheDemoWithFallback()
    {
        await using var app = Build(new Dictionary<string, string?>());
        await app.StartAsync();
        using var http = new HttpClient { BaseAddress = new Uri(app.Urls.First()) };

        var models = new List<string>();
        for (var i = 0; i < 12; i++)
        {
            using var response = await http.PostAsync("/v1/chat/completions",
                new StringContent("{\"model\":\"demo\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}", System.Text.Encoding.UTF8, "application/json"));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            models.Add(response.Headers.GetValues("x-dispatcher-model").Single());
        }

        Assert.All(models, model => Assert.Contains(model, new[] { "demo-fast", "demo-steady" }));
        using var ready = JsonDocument.Parse(await http.GetStringAsync("/readyz"));
        Assert.Equal("demo", ready.RootElement.GetProperty("configuration").GetString());
    }

    [Fact]
    public async Task Start_ConfigFileArgument_IsLoaded()
    {
        Directory.CreateDirectory(_dataDirectory);
        var file = Path.Combine(_dataDirectory, "dispatcher.json");
        await File.WriteAllTextAsync(file, """
            { "Dispatcher": {
                "Providers": { "sim": { "Kind": "simulated" } },
                "Models": { "from-file": { "Provider": "sim", "UpstreamModel": "sim-1" } },
                "Routes": { "file-route": { "Chain": ["from-file"] } } } }
            """);
        await using var app = Build(new Dictionary<string, string?>(), "--config", file);
        await app.StartAsync();
        using var http = new HttpClient { BaseAddress = new Uri(app.Urls.First()) };

        var models = await http.GetStringAsync("/v1/models");

        Assert.Contains("\"file-route\"", models, StringComparison.Ordinal);
    }

    public void Dispose()
    {
        if (Directory.Exists(_dataDirectory))
        {
            Directory.Delete(_dataDirectory, recursive: true);
        }
    }

    private WebApplication Build(Dictionary<string, string?> settings, params string[] extraArgs)
    {
        settings["Dispatcher:DataDirectory"] = _dataDirectory;
        return DispatcherHost.Build(["--urls", "http://127.0.0.1:0", .. extraArgs], builder =>
        {
            builder.Configuration.AddInMemoryCollection(settings);
            builder.Logging.SetMinimumLevel(LogLevel.Warning);

            // The machine running the tests may have provider keys set: the built-in configuration must not see them.
            builder.Services.RemoveAll<IPostConfigureOptions<DispatcherOptions>>();
            builder.Services.AddSingleton<IPostConfigureOptions<DispatcherOptions>>(new BuiltInConfiguration(static _ => null));
        });
    }
}
