using Dispatcher.ApiFront.Hosting;
using Dispatcher.Grains.Configuration;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Dispatcher.ApiFront.Tests.Hosting;

public sealed class TrustStartupTests : IDisposable
{
    private readonly string _dataDirectory = Path.Combine(Path.GetTempPath(), "dispatcher-trust-startup-" + Guid.NewGuid().ToString("N"));

    [Fact]
    public async Task Start_RouteResponseSchemaMalformed_FailsNamingTheKeyPath()
    {
        await using var app = Build(new Dictionary<string, string?>
        {
            ["Dispatcher:Routes:r:ResponseSchema"] = """{"type":"objekt"}""",
        });

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => app.StartAsync());

        Assert.Contains("Dispatcher:Routes:r:ResponseSchema", error.Message, StringComparison.Ordinal);
        Assert.Contains("unknown type 'objekt'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Start_RouteResponseSchemaFromFile_Starts()
    {
        Directory.CreateDirectory(_dataDirectory);
        var schema = Path.Combine(_dataDirectory, "schema.json");
        await File.WriteAllTextAsync(schema, """{"type":"object","required":["a"]}""");
        await using var app = Build(new Dictionary<string, string?> { ["Dispatcher:Routes:r:ResponseSchema"] = "file:" + schema });

        await app.StartAsync();
        await app.StopAsync();
    }

    [Fact]
    public async Task Start_AdminKeyNamesUnsetVariable_FailsNamingTheKey()
    {
        await using var app = Build(new Dictionary<string, string?> { ["Dispatcher:Auth:AdminKey"] = "env:DISPATCHER_TEST_SURELY_UNSET_ADMIN" });

        var error = await Assert.ThrowsAnyAsync<InvalidOperationException>(() => app.StartAsync());

        Assert.Contains("Dispatcher:Auth:AdminKey", error.Message, StringComparison.Ordinal);
    }

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        if (Directory.Exists(_dataDirectory))
        {
            Directory.Delete(_dataDirectory, recursive: true);
        }
    }

    private WebApplication Build(Dictionary<string, string?> settings)
    {
        settings["Dispatcher:DataDirectory"] = _dataDirectory;
        settings["Dispatcher:Providers:p:Kind"] = "simulated";
        settings["Dispatcher:Models:m:Provider"] = "p";
        settings["Dispatcher:Routes:r:Chain:0"] = "m";
        return DispatcherHost.Build(["--urls", "http://127.0.0.1:0"], builder =>
        {
            builder.Configuration.AddInMemoryCollection(settings);
            builder.Logging.SetMinimumLevel(LogLevel.Warning);
            builder.Services.RemoveAll<IPostConfigureOptions<DispatcherOptions>>();
            builder.Services.AddSingleton<IPostConfigureOptions<DispatcherOptions>>(new BuiltInConfiguration(static _ => null));
        });
    }
}
