using System.ClientModel;
using System.ClientModel.Primitives;
using Dispatcher.ApiFront.Hosting;
using Dispatcher.FakeUpstream;
using Dispatcher.Silo.Telemetry;
using Dispatcher.TestSupport;
using Dispatcher.TestSupport.Otlp;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OpenAI;
using OpenAI.Chat;

namespace Dispatcher.ApiFront.Tests.Telemetry;

/// <summary>
/// A Dispatcher node configured as a user would for Jaeger (the standard OTEL_* variables), exporting over
/// HTTP/protobuf to an <see cref="OtlpReceiver"/> on loopback, in front of its own FakeUpstream. The route
/// <c>otel-chain</c> is <c>otel-primary</c> (provider otel-a, whose breaker opens on one failure) then
/// <c>otel-backup</c> (otel-b); same-model retries are off so one failure is one fallback.
/// </summary>
public sealed class TelemetryFixture : IAsyncLifetime
{
    public const string PrimaryKey = "sk-otel-secret-primary-0001";
    public const string BackupKey = "sk-otel-secret-backup-0001";
    public const string Content = "Telemetry fixture answer text.";

    private readonly string _dataDirectory = Path.Combine(Path.GetTempPath(), "dispatcher-otel-" + Guid.NewGuid().ToString("N"));
    private WebApplication? _app;

    public ManualTimeProvider Clock { get; } = new(DateTimeOffset.UtcNow);

    public OtlpReceiver Receiver { get; private set; } = null!;

    public FakeUpstreamServer Upstream { get; private set; } = null!;

    public TelemetryPipeline Pipeline { get; private set; } = null!;

    public HttpClient Http { get; private set; } = null!;

    public Uri BaseUrl { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Receiver = await OtlpReceiver.StartAsync();
        Upstream = await FakeUpstreamServer.StartAsync(new FakeUpstreamOptions { Content = Content, StreamChunks = 3 });
        _app = DispatcherHost.Build(["--urls", "http://127.0.0.1:0"], builder =>
        {
            builder.Configuration.AddInMemoryCollection(Configuration());
            builder.Services.AddSingleton<TimeProvider>(Clock);
            builder.Logging.SetMinimumLevel(LogLevel.Warning);
        });
        await _app.StartAsync();
        BaseUrl = new Uri(_app.Urls.First());
        Http = new HttpClient { BaseAddress = BaseUrl, Timeout = TimeSpan.FromSeconds(30) };
        Pipeline = _app.Services.GetRequiredService<TelemetryPipeline>();
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
        await Receiver.DisposeAsync();
        try
        {
            Directory.Delete(_dataDirectory, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temp directory is harmless.
        }
    }

    /// <summary>Clears scripts and moves the clock past every breaker.</summary>
    public void Reset()
    {
        Upstream.Reset();
        Clock.Advance(TimeSpan.FromHours(1));
    }

    /// <summary>The official OpenAI SDK pointed at the node, its own retries off.</summary>
    public ChatClient Chat(string model)
    {
        var options = new OpenAIClientOptions { Endpoint = new Uri(BaseUrl, "/v1"), RetryPolicy = new ClientRetryPolicy(0), NetworkTimeout = TimeSpan.FromSeconds(30) };
        return new OpenAIClient(new ApiKeyCredential("sk-client-not-forwarded"), options).GetChatClient(model);
    }

    private Dictionary<string, string?> Configuration()
    {
        var upstream = Upstream.BaseUrl.ToString();
        return new Dictionary<string, string?>
        {
            ["OTEL_EXPORTER_OTLP_ENDPOINT"] = Receiver.HttpEndpoint.ToString(),
            ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf",
            ["OTEL_SERVICE_NAME"] = "dispatcher-under-test",
            // Exports happen when a test flushes, not on a timer.
            ["OTEL_METRIC_EXPORT_INTERVAL"] = "3600000",
            ["Dispatcher:DataDirectory"] = _dataDirectory,
            ["Dispatcher:Retry:SameCandidateRetries"] = "0",
            ["Dispatcher:Providers:otel-a:Kind"] = "openai",
            ["Dispatcher:Providers:otel-a:BaseUrl"] = upstream,
            ["Dispatcher:Providers:otel-a:ApiKeys:0"] = PrimaryKey,
            ["Dispatcher:Providers:otel-a:Rpm"] = "1000",
            ["Dispatcher:Providers:otel-a:Breaker:MinimumThroughput"] = "1",
            ["Dispatcher:Providers:otel-a:Breaker:FailureRatio"] = "0.5",
            ["Dispatcher:Providers:otel-a:Breaker:SamplingDuration"] = "00:01:00",
            ["Dispatcher:Providers:otel-a:Breaker:BreakDuration"] = "00:00:30",
            ["Dispatcher:Providers:otel-b:Kind"] = "openai",
            ["Dispatcher:Providers:otel-b:BaseUrl"] = upstream,
            ["Dispatcher:Providers:otel-b:ApiKeys:0"] = BackupKey,
            ["Dispatcher:Models:otel-primary:Provider"] = "otel-a",
            ["Dispatcher:Models:otel-primary:UpstreamModel"] = "otel-primary-model",
            ["Dispatcher:Models:otel-primary:InputPricePerMTok"] = "2.5",
            ["Dispatcher:Models:otel-primary:OutputPricePerMTok"] = "10",
            ["Dispatcher:Models:otel-backup:Provider"] = "otel-b",
            ["Dispatcher:Models:otel-backup:UpstreamModel"] = "otel-backup-model",
            ["Dispatcher:Models:otel-backup:InputPricePerMTok"] = "1",
            ["Dispatcher:Models:otel-backup:OutputPricePerMTok"] = "2",
            ["Dispatcher:Routes:otel-chain:Chain:0"] = "otel-primary",
            ["Dispatcher:Routes:otel-chain:Chain:1"] = "otel-backup",
        };
    }
}
