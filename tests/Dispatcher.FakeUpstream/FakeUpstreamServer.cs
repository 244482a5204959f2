using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Dispatcher.FakeUpstream;

/// <summary>
/// A scriptable fake of the OpenAI chat completions API on real Kestrel. Every model answers
/// <see cref="FakeBehavior.Ok"/> until scripted with <see cref="Enqueue"/> or <see cref="SetDefault"/>; a model named
/// <c>fail-503</c> answers Status(503) and <c>slow-250</c> waits 250 ms before answering, without any script.
/// </summary>
public sealed class FakeUpstreamServer : IAsyncDisposable
{
    private static readonly TimeSpan ShutdownTimeout = TimeSpan.FromSeconds(2);

    private readonly WebApplication _app;
    private readonly CancellationTokenSource _stopping = new();
    private readonly ModelScripts _scripts = new();
    private readonly RequestLog _log;
    private readonly InFlightTracker _requests = new();
    private readonly InFlightTracker _streams = new();
    private readonly CancellationLog _cancelled = new();
    private int _disposed;

    private FakeUpstreamServer(WebApplication app, FakeUpstreamOptions options)
    {
        _app = app;
        _log = new RequestLog(options.RecordRequests);
        var chat = new ChatCompletionHandler(options, _scripts, _log, _requests, _streams, _stopping.Token) { Cancelled = _cancelled };
        app.MapPost("/v1/chat/completions", new RequestDelegate(chat.HandleAsync));
        app.MapPost("/openai/deployments/{deployment}/chat/completions", new RequestDelegate(chat.HandleAsync));
        app.MapPost("/v1/messages", new RequestDelegate(new Anthropic.AnthropicMessagesHandler(options, _scripts, _log, _requests, _streams, _stopping.Token).HandleAsync));
        app.MapPost(Gemini.GeminiHandler.Route, new RequestDelegate(new Gemini.GeminiHandler(options, _scripts, _log, _requests, _streams, _stopping.Token).HandleAsync));
        app.MapGet("/v1/models", context => ModelsApi.WriteListAsync(context, _scripts));
        ControlApi.Map(app, this);
        app.MapFallback(context => FaultResponder.WriteErrorAsync(
            context, StatusCodes.Status404NotFound, OpenAiErrors.InvalidUrl(context.Request.Method, context.Request.Path), 0, context.RequestAborted));
    }

    /// <summary>The API root to configure a client with, e.g. <c>http://127.0.0.1:54321/v1</c> (no trailing slash).</summary>
    public Uri BaseUrl { get; private set; } = null!;

    /// <summary>Chat completion requests received since start or <see cref="Reset"/>, valid or not.</summary>
    public int TotalCalls => _scripts.TotalCalls;

    /// <summary>A snapshot of the received chat completion requests (empty when
    /// <see cref="FakeUpstreamOptions.RecordRequests"/> is off).</summary>
    public IReadOnlyList<ReceivedRequest> Received => _log.Snapshot();

    /// <summary>Streaming requests in progress, from the parsed body until the handler returns (also while a
    /// stalled stream waits). Drops when the client disconnects, which proves an upstream stream was cancelled.</summary>
    public int ActiveStreams => _streams.Count;

    /// <summary>Chat completion requests in progress, streaming or not.</summary>
    public int ActiveRequests => _requests.Count;

    /// <summary>Starts Kestrel on <see cref="FakeUpstreamOptions.Host"/> and returns once it listens.</summary>
    /// <param name="options">Null means the defaults (loopback, any free port).</param>
    public static async Task<FakeUpstreamServer> StartAsync(FakeUpstreamOptions? options = null)
    {
        options ??= new FakeUpstreamOptions();
        ArgumentOutOfRangeException.ThrowIfLessThan(options.StreamChunks, 1, nameof(options));
        ArgumentOutOfRangeException.ThrowIfNegative(options.Port, nameof(options));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(options.Port, IPEndPoint.MaxPort, nameof(options));
        ArgumentNullException.ThrowIfNull(options.Content, nameof(options));
        var address = options.Host == "localhost" ? IPAddress.Loopback : IPAddress.Parse(options.Host);

        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [] });

        // No appsettings.json, environment variables or ASPNETCORE_URLS of the host process: a test's config must not
        // add Kestrel endpoints or log levels here.
        builder.Configuration.Sources.Clear();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Services.Configure<ConsoleLifetimeOptions>(lifetime => lifetime.SuppressStatusMessages = true);
        builder.Services.Configure<HostOptions>(host => host.ShutdownTimeout = ShutdownTimeout);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Listen(address, options.Port);
        });

        var server = new FakeUpstreamServer(builder.Build(), options);
        await server._app.StartAsync();
        var listening = server._app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>();
        server.BaseUrl = new Uri(listening.Addresses.First() + "/v1");
        return server;
    }

    /// <summary>The next request for <paramref name="upstreamModel"/> gets <paramref name="behavior"/> (first in, first out).</summary>
    public void Enqueue(string upstreamModel, FakeBehavior behavior)
    {
        ArgumentException.ThrowIfNullOrEmpty(upstreamModel);
        ArgumentNullException.ThrowIfNull(behavior);
        _scripts.Get(upstreamModel).Queue.Enqueue(behavior);
    }

    /// <summary>What <paramref name="upstreamModel"/> answers once its queue is empty (before that, the name rule,
    /// then <see cref="FakeBehavior.Ok"/>).</summary>
    public void SetDefault(string upstreamModel, FakeBehavior behavior)
    {
        ArgumentException.ThrowIfNullOrEmpty(upstreamModel);
        ArgumentNullException.ThrowIfNull(behavior);
        _scripts.Get(upstreamModel).Default = behavior;
    }

    /// <summary>Chat completion requests that named <paramref name="upstreamModel"/>.</summary>
    public int CallCount(string upstreamModel) => _scripts.CallCount(upstreamModel);

    internal IReadOnlyList<(string Model, int Calls)> CallCounts() => _scripts.Snapshot();

    /// <summary>Forgets queues, defaults, counters and received requests; requests in flight are not touched.</summary>
    public void Reset()
    {
        _scripts.Reset();
        _log.Clear();
        _cancelled.Clear();
    }

    /// <summary>Completes with the first received request (already received or future) that matches; works with
    /// recording off too, for requests that arrive after the call.</summary>
    public Task<ReceivedRequest> WaitForRequestAsync(Func<ReceivedRequest, bool> match, CancellationToken cancellationToken) =>
        _log.WaitAsync(match, cancellationToken);

    /// <summary>How many OpenAI-format streams for <paramref name="upstreamModel"/> the client abandoned before their end
    /// (connection aborted while the fake was still answering) since start or <see cref="Reset"/>.</summary>
    public int CancelledStreams(string upstreamModel) => _cancelled.Count(upstreamModel);

    /// <summary>Completes once an OpenAI-format stream for <paramref name="upstreamModel"/> has been abandoned by its client
    /// (already, or in the future): the fake saw the cancellation on its side of the connection.</summary>
    public Task WaitForCancelledStreamAsync(string upstreamModel, CancellationToken cancellationToken) =>
        _cancelled.WaitAsync(upstreamModel, cancellationToken);

    /// <summary>Completes when <see cref="ActiveStreams"/> is zero.</summary>
    public Task WaitForNoActiveStreamsAsync(CancellationToken cancellationToken) => _streams.WaitForIdleAsync(cancellationToken);

    /// <summary>Completes when <see cref="ActiveRequests"/> is zero.</summary>
    public Task WaitForNoActiveRequestsAsync(CancellationToken cancellationToken) => _requests.WaitForIdleAsync(cancellationToken);

    /// <summary>Aborts requests in flight and stops Kestrel (within 2 seconds at most). Safe to call twice.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        await _stopping.CancelAsync();
        using (var timeout = new CancellationTokenSource(ShutdownTimeout))
        {
            await _app.StopAsync(timeout.Token);
        }

        await _app.DisposeAsync();
        _stopping.Dispose();
    }
}
