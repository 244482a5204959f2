using System.ClientModel;
using System.ClientModel.Primitives;
using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Dispatcher.ApiFront.Hosting;
using Dispatcher.FakeUpstream;
using Dispatcher.TestSupport;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OpenAI;
using OpenAI.Chat;

namespace Dispatcher.ApiFront.Tests.TestHost;

/// <summary>
/// A node with authentication on (an admin key configured), in front of its own fake upstream, shared by every
/// virtual-key test. The clock is manual (RPM windows move only when a test says so) and every log line is captured.
/// </summary>
public sealed class AuthFixture : IAsyncLifetime
{
    public const string AdminKey = "admin-test-secret-0001";
    public const string AlphaKey = "sk-auth-alpha-0001";
    public const string BetaKey = "sk-auth-beta-0001";

    private readonly string _dataDirectory = Path.Combine(Path.GetTempPath(), "dispatcher-auth-" + Guid.NewGuid().ToString("N"));
    private WebApplication? _app;

    public ManualTimeProvider Clock { get; } = new(new DateTimeOffset(2026, 11, 10, 12, 0, 0, TimeSpan.Zero));

    public CapturingLoggerProvider Logs { get; } = new();

    public FakeUpstreamServer Upstream { get; private set; } = null!;

    public Uri BaseUrl { get; private set; } = null!;

    /// <summary>Raw HTTP without credentials.</summary>
    public HttpClient Http { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Upstream = await FakeUpstreamServer.StartAsync(new FakeUpstreamOptions { Content = "Hello from the fake upstream.", StreamChunks = 2 });
        _app = DispatcherHost.Build(["--urls", "http://127.0.0.1:0"], builder =>
        {
            builder.Configuration.AddInMemoryCollection(Configuration());
            builder.Services.AddSingleton<TimeProvider>(Clock);
            builder.Logging.ClearProviders();
            builder.Logging.SetMinimumLevel(LogLevel.Debug);
            builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Debug);
            builder.Logging.AddProvider(Logs);
        });
        await _app.StartAsync();
        BaseUrl = new Uri(_app.Urls.First());
        Http = new HttpClient { BaseAddress = BaseUrl, Timeout = TimeSpan.FromSeconds(30) };
    }

    public async Task DisposeAsync()
    {
        Http.Dispose();
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }

        await Upstream.DisposeAsync();
        try
        {
            Directory.Delete(_dataDirectory, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temp directory is harmless.
        }
    }

    public void Reset()
    {
        Upstream.Reset();
        Clock.Advance(TimeSpan.FromMinutes(5));
    }

    /// <summary>A request carrying <paramref name="secret"/> as its bearer token.</summary>
    public static HttpRequestMessage With(HttpRequestMessage request, string? secret)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (secret is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", secret);
        }

        return request;
    }

    /// <summary>Creates a key through the API as the admin; returns its id, secret and the raw answer.</summary>
    public async Task<(string Id, string Secret, string Body)> CreateKeyAsync(object spec)
    {
        using var request = With(new HttpRequestMessage(HttpMethod.Post, "/v1/dispatcher/keys") { Content = JsonContent.Create(spec) }, AdminKey);
        using var response = await Http.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == System.Net.HttpStatusCode.Created, body);
        using var json = JsonDocument.Parse(body);
        return (json.RootElement.GetProperty("id").GetString()!, json.RootElement.GetProperty("key").GetString()!, body);
    }

    /// <summary>The official SDK with a virtual key.</summary>
    public ChatClient Chat(string model, string secret)
    {
        var options = new OpenAIClientOptions { Endpoint = new Uri(BaseUrl, "/v1"), RetryPolicy = new ClientRetryPolicy(0), NetworkTimeout = TimeSpan.FromSeconds(30) };
        return new OpenAIClient(new ApiKeyCredential(secret), options).GetChatClient(model);
    }

    private Dictionary<string, string?> Configuration()
    {
        var upstream = Upstream.BaseUrl.ToString();
        var config = new Dictionary<string, string?>
        {
            ["Dispatcher:DataDirectory"] = _dataDirectory,
            ["Dispatcher:Auth:AdminKey"] = AdminKey,
            ["Dispatcher:Providers:alpha:Kind"] = "openai",
            ["Dispatcher:Providers:alpha:BaseUrl"] = upstream,
            ["Dispatcher:Providers:alpha:ApiKeys:0"] = AlphaKey,
            ["Dispatcher:Providers:alpha:Breaker:MinimumThroughput"] = "1000",
            ["Dispatcher:Providers:beta:Kind"] = "openai",
            ["Dispatcher:Providers:beta:BaseUrl"] = upstream,
            ["Dispatcher:Providers:beta:ApiKeys:0"] = BetaKey,
            ["Dispatcher:Providers:beta:Breaker:MinimumThroughput"] = "1000",
            ["Dispatcher:Routes:chain:Chain:0"] = "primary",
            ["Dispatcher:Routes:chain:Chain:1"] = "backup",
            ["Dispatcher:Routes:cheap:Chain:0"] = "backup",
        };
        AddModel(config, "primary", "alpha", "primary-model", 2.5m, 10m);
        AddModel(config, "backup", "beta", "backup-model", 0.15m, 0.6m);
        return config;
    }

    private static void AddModel(Dictionary<string, string?> config, string alias, string provider, string upstreamModel, decimal input, decimal output)
    {
        var prefix = $"Dispatcher:Models:{alias}:";
        config[prefix + "Provider"] = provider;
        config[prefix + "UpstreamModel"] = upstreamModel;
        config[prefix + "InputPricePerMTok"] = input.ToString(CultureInfo.InvariantCulture);
        config[prefix + "OutputPricePerMTok"] = output.ToString(CultureInfo.InvariantCulture);
    }
}

/// <summary>The virtual-key tests share one authenticated node.</summary>
[CollectionDefinition(Name)]
public sealed class AuthCollection : ICollectionFixture<AuthFixture>
{
    public const string Name = "auth";
}
