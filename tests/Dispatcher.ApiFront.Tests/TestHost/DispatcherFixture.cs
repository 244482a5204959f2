using System.ClientModel;
using System.ClientModel.Primitives;
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
/// One Dispatcher node on real Kestrel (loopback) in front of one FakeUpstream, shared by every end-to-end test.
/// The node's clock is manual: tests advance it to fire timeouts and to clear breakers, cool-downs and parked keys.
/// </summary>
public sealed class DispatcherFixture : IAsyncLifetime
{
    public const string AlphaKey = "sk-test-alpha-0001";
    public const string BetaKey = "sk-test-beta-0001";
    public const string PoolKey1 = "sk-test-pool-0001";
    public const string PoolKey2 = "sk-test-pool-0002";
    public const string AzureKey = "sk-test-azure-0001";
    public const string GeminiKey = "test-gemini-key-0001";
    public const string AnthropicKey = "sk-ant-test-0001";
    public const string ChaoticKey = "sk-test-chaotic-0001";
    public const int MaxBodyBytes = 64 * 1024;
    public const string RouteSchema = """{"type":"object","properties":{"answer":{"type":"string"}},"required":["answer"],"additionalProperties":false}""";

    /// <summary>Every upstream credential configured below, for scans that prove none leaks.</summary>
    public static readonly string[] AllKeys =
        [AlphaKey, BetaKey, PoolKey1, PoolKey2, AzureKey, GeminiKey, AnthropicKey, "sk-test-flaky-0001", "sk-test-metered-0001", ChaoticKey, "sk-test-hanging-0001"];

    private readonly string _dataDirectory = Path.Combine(Path.GetTempPath(), "dispatcher-e2e-" + Guid.NewGuid().ToString("N"));
    private WebApplication? _app;

    public ManualTimeProvider Clock { get; } = new(DateTimeOffset.UtcNow);

    /// <summary>Every log line of the node, scanned for credentials.</summary>
    public ScanningLoggerProvider Logs { get; } = new();

    /// <summary>The node's services (its runtime, ledger, chaos control).</summary>
    public IServiceProvider Services => _app!.Services;

    public FakeUpstreamServer Upstream { get; private set; } = null!;

    /// <summary>An upstream whose response headers never finish (provider "hanging", route "hanging-chain").</summary>
    public HangingHeadersServer Hanging { get; private set; } = null!;

    public Uri BaseUrl { get; private set; } = null!;

    public HttpClient Http { get; private set; } = null!;

    /// <summary>Where the node's SQLite ledger lives.</summary>
    public string DataDirectory => _dataDirectory;

    public async Task InitializeAsync()
    {
        Upstream = await FakeUpstreamServer.StartAsync(new FakeUpstreamOptions { Content = "Hello from the fake upstream.", StreamChunks = 4 });
        Hanging = HangingHeadersServer.Start();
        // Not "Production": chaos is enabled below, and a production node refuses it (Dispatcher:Chaos:AllowInProduction).
        _app = DispatcherHost.Build(["--urls", "http://127.0.0.1:0", "--environment", "Testing"], builder =>
        {
            builder.Configuration.AddInMemoryCollection(Configuration());
            builder.Services.AddSingleton<TimeProvider>(Clock);
            builder.Logging.SetMinimumLevel(LogLevel.Warning);
            builder.Logging.AddProvider(Logs);
            builder.Logging.AddFilter<ScanningLoggerProvider>(null, LogLevel.Debug);
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
        await Hanging.DisposeAsync();
        try
        {
            Directory.Delete(_dataDirectory, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temp directory is harmless.
        }
    }

    /// <summary>Clears scripted behaviour and counters, and moves the clock past every breaker, cool-down and parking.</summary>
    public void Reset()
    {
        Upstream.Reset();
        Services.GetRequiredService<Dispatcher.Silo.Hosting.DispatcherRuntime>().Chaos.Clear();
        Clock.Advance(TimeSpan.FromHours(1));
    }

    /// <summary>The official OpenAI SDK pointed at the node, with its own retries off so attempts are Dispatcher's.</summary>
    public ChatClient Chat(string model, string? session = null)
    {
        var options = new OpenAIClientOptions { Endpoint = new Uri(BaseUrl, "/v1"), RetryPolicy = new ClientRetryPolicy(0), NetworkTimeout = TimeSpan.FromSeconds(30) };
        if (session is not null)
        {
            options.AddPolicy(new HeaderPolicy("x-dispatcher-session", session), PipelinePosition.PerCall);
        }

        return new OpenAIClient(new ApiKeyCredential("sk-client-not-forwarded"), options).GetChatClient(model);
    }

    private Dictionary<string, string?> Configuration()
    {
        var upstream = Upstream.BaseUrl.ToString();
        var config = new Dictionary<string, string?>
        {
            ["Dispatcher:DataDirectory"] = _dataDirectory,
            ["Dispatcher:MaxRequestBodyBytes"] = MaxBodyBytes.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Dispatcher:Retry:MaxRetryAfter"] = "00:00:01",
            ["Dispatcher:Chaos:Enabled"] = "true",
            ["Dispatcher:Chaos:Seed"] = "9",
        };
        AddProvider(config, "alpha", upstream, [AlphaKey], minimumThroughput: 1000);
        AddProvider(config, "beta", upstream, [BetaKey], minimumThroughput: 1000);
        AddProvider(config, "pool", upstream, [PoolKey1, PoolKey2], minimumThroughput: 1000);
        AddProvider(config, "flaky", upstream, ["sk-test-flaky-0001"], minimumThroughput: 2);
        AddProvider(config, "azure", new Uri(Upstream.BaseUrl, "/").ToString(), [AzureKey], minimumThroughput: 1000);
        config["Dispatcher:Providers:azure:Kind"] = "azure-openai";
        config["Dispatcher:Providers:azure:ApiVersion"] = "2024-10-21";
        AddProvider(config, "google", new Uri(Upstream.BaseUrl, "/v1beta").ToString(), [GeminiKey], minimumThroughput: 1000);
        config["Dispatcher:Providers:google:Kind"] = "gemini";
        AddProvider(config, "metered", upstream, ["sk-test-metered-0001"], minimumThroughput: 1000);
        config["Dispatcher:Providers:metered:Rpm"] = "1";
        AddProvider(config, "claude", upstream, [AnthropicKey], minimumThroughput: 1000);
        config["Dispatcher:Providers:claude:Kind"] = "anthropic";
        // The dashboard test opens this provider's breaker; no other test uses it.
        AddProvider(config, "dash", upstream, ["sk-test-dash-0001"], minimumThroughput: 2);
        AddProvider(config, "chaotic", upstream, [ChaoticKey], minimumThroughput: 1000);
        AddModel(config, "primary", "alpha", "primary-model", 2.5m, 10m);
        AddModel(config, "backup", "beta", "backup-model", 0.15m, 0.6m);
        AddModel(config, "pooled", "pool", "pooled-model", 1m, 2m);
        AddModel(config, "flaky", "flaky", "flaky-model", 1m, 2m);
        AddModel(config, "azure-gpt", "azure", "azure-deployment", 2.5m, 10m);
        AddModel(config, "gem-flash", "google", "gemini-2.5-flash", 0.3m, 2.5m);
        AddModel(config, "sonnet", "claude", "claude-sonnet-4-5", 3m, 15m);
        AddModel(config, "metered", "metered", "metered-model", 1m, 1m);
        AddModel(config, "dash-flaky", "dash", "dash-model", 1m, 2m);
        AddModel(config, "chaotic", "chaotic", "chaotic-model", 1m, 2m);
        AddProvider(config, "hanging", Hanging.BaseUrl.ToString(), ["sk-test-hanging-0001"], minimumThroughput: 1000);
        AddModel(config, "hanging", "hanging", "hanging-model", 1m, 2m);
        AddModel(config, "tiny", "alpha", "tiny-model", 0.1m, 0.1m);
        config["Dispatcher:Models:tiny:ContextWindow"] = "64";
        config["Dispatcher:Models:tiny:Capabilities:0"] = "json_schema";
        AddRoute(config, "chain", ["primary", "backup"]);
        AddRoute(config, "dash-chain", ["dash-flaky", "backup"]);
        AddRoute(config, "chaos-chain", ["chaotic", "backup"]);
        AddRoute(config, "hanging-chain", ["hanging", "backup"]);
        AddRoute(config, "filtered", ["primary", "backup"]);
        config["Dispatcher:Routes:filtered:ContentFilterFallback"] = "true";
        AddRoute(config, "pooled-chain", ["pooled", "backup"]);
        AddRoute(config, "flaky-chain", ["flaky", "backup"]);
        AddRoute(config, "azure-chain", ["azure-gpt", "backup"]);
        AddRoute(config, "fit-chain", ["tiny", "backup"]);
        AddRoute(config, "gemini-chain", ["gem-flash", "backup"]);
        AddRoute(config, "anthropic-chain", ["sonnet", "backup"]);
        AddRoute(config, "thrifty", ["backup", "primary"]);
        config["Dispatcher:Routes:thrifty:MaxFallbackPriceRatio"] = "1.0";
        AddStreamRoutes(config);
        AddRoute(config, "guarded", ["primary", "backup"]);
        AddRoute(config, "repairing", ["primary", "backup"]);
        config["Dispatcher:Routes:repairing:SchemaRepair"] = "true";
        AddRoute(config, "contracted", ["primary", "backup"]);
        config["Dispatcher:Routes:contracted:ResponseSchema"] = RouteSchema;
        return config;
    }

    // Conversations, continuation, hedging and stream health (issue 4).
    private static void AddStreamRoutes(Dictionary<string, string?> config)
    {
        AddRoute(config, "pinned-chain", ["primary", "backup"]);
        AddRoute(config, "pin-fail-chain", ["primary", "backup"]);
        config["Dispatcher:Routes:pin-fail-chain:OnPinnedFailure"] = "Fail";
        AddRoute(config, "return-chain", ["primary", "backup"]);
        config["Dispatcher:Routes:return-chain:ReturnToPrimaryAfter"] = "00:05:00";
        AddRoute(config, "continue-chain", ["primary", "backup"]);
        config["Dispatcher:Routes:continue-chain:MidStreamContinuation"] = "true";
        AddRoute(config, "continue-anthropic", ["primary", "sonnet"]);
        config["Dispatcher:Routes:continue-anthropic:MidStreamContinuation"] = "true";
        AddRoute(config, "continue-thrifty", ["backup", "primary"]);
        config["Dispatcher:Routes:continue-thrifty:MidStreamContinuation"] = "true";
        config["Dispatcher:Routes:continue-thrifty:MaxFallbackPriceRatio"] = "1.0";
        AddRoute(config, "hedge-chain", ["primary", "backup"]);
        config["Dispatcher:Routes:hedge-chain:HedgeAfter"] = "00:00:02";
        AddModel(config, "trickle", "alpha", "trickle-model", 1m, 1m);
        config["Dispatcher:Models:trickle:Timeouts:Idle"] = "00:01:00";
        config["Dispatcher:Models:trickle:Timeouts:MinTokensPerSecond"] = "1";
        config["Dispatcher:Models:trickle:Timeouts:ThroughputWindow"] = "00:00:10";
        AddRoute(config, "trickle-chain", ["trickle", "backup"]);
        AddModel(config, "p95-first", "alpha", "p95-model", 1m, 1m);
        AddRoute(config, "hedge-p95-chain", ["p95-first", "backup"]);
        config["Dispatcher:Routes:hedge-p95-chain:HedgeAfter"] = "p95";
    }

    private static void AddProvider(Dictionary<string, string?> config, string name, string baseUrl, string[] keys, int minimumThroughput)
    {
        var prefix = $"Dispatcher:Providers:{name}:";
        config[prefix + "Kind"] = "openai";
        config[prefix + "BaseUrl"] = baseUrl;
        for (var i = 0; i < keys.Length; i++)
        {
            config[$"{prefix}ApiKeys:{i}"] = keys[i];
        }

        config[prefix + "Breaker:MinimumThroughput"] = minimumThroughput.ToString(System.Globalization.CultureInfo.InvariantCulture);
        config[prefix + "Breaker:FailureRatio"] = "0.5";
        config[prefix + "Breaker:SamplingDuration"] = "00:01:00";
        config[prefix + "Breaker:BreakDuration"] = "00:00:30";
    }

    private static void AddModel(Dictionary<string, string?> config, string alias, string provider, string upstreamModel, decimal input, decimal output)
    {
        var prefix = $"Dispatcher:Models:{alias}:";
        config[prefix + "Provider"] = provider;
        config[prefix + "UpstreamModel"] = upstreamModel;
        config[prefix + "InputPricePerMTok"] = input.ToString(System.Globalization.CultureInfo.InvariantCulture);
        config[prefix + "OutputPricePerMTok"] = output.ToString(System.Globalization.CultureInfo.InvariantCulture);
        config[prefix + "Timeouts:FirstToken"] = "00:00:05";
        config[prefix + "Timeouts:Idle"] = "00:00:05";
        config[prefix + "Timeouts:Total"] = "00:01:00";
    }

    private static void AddRoute(Dictionary<string, string?> config, string name, string[] chain)
    {
        for (var i = 0; i < chain.Length; i++)
        {
            config[$"Dispatcher:Routes:{name}:Chain:{i}"] = chain[i];
        }
    }
}
