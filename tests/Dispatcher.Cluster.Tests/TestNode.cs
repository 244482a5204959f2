using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;

namespace Dispatcher.Cluster.Tests;

/// <summary>One node of the test cluster: its host, an HttpClient on it, and what its operator API says.</summary>
public sealed class TestNode : IAsyncDisposable
{
    private static readonly TimeSpan StateTimeout = TimeSpan.FromSeconds(15);
    private WebApplication? _app;

    public TestNode(string id, WebApplication app)
    {
        Id = id;
        _app = app;
        BaseUrl = new Uri(app.Urls.First());
        Http = new HttpClient { BaseAddress = BaseUrl, Timeout = TimeSpan.FromSeconds(30) };
    }

    public string Id { get; }

    public Uri BaseUrl { get; }

    public HttpClient Http { get; }

    /// <summary>Sends a small non-streaming chat completion to <paramref name="model"/>.</summary>
    public Task<HttpResponseMessage> ChatAsync(string model, string? session = null) => ChatAsync(Http, model, session);

    /// <summary>Sends a small non-streaming chat completion to <paramref name="model"/> through <paramref name="http"/>.</summary>
    public static Task<HttpResponseMessage> ChatAsync(HttpClient http, string model, string? session = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions")
        {
            Content = JsonContent.Create(new { model, messages = new[] { new { role = "user", content = "hi" } } }),
        };
        if (session is not null)
        {
            request.Headers.Add("x-dispatcher-session", session);
        }

        return http.SendAsync(request);
    }

    /// <summary>The state (closed, open, half_open) this node's breaker of a deployment is in.</summary>
    public async Task<string?> DeploymentStateAsync(string provider, string upstreamModel)
    {
        using var document = JsonDocument.Parse(await Http.GetStringAsync("/v1/dispatcher/providers"));
        foreach (var entry in document.RootElement.GetProperty("data").EnumerateArray())
        {
            if (entry.GetProperty("name").GetString() != provider)
            {
                continue;
            }

            foreach (var deployment in entry.GetProperty("deployments").EnumerateArray())
            {
                if (deployment.GetProperty("model").GetString() == upstreamModel)
                {
                    return deployment.GetProperty("state").GetString();
                }
            }
        }

        return null;
    }

    /// <summary>
    /// Waits until this node's view of a deployment's breaker is <paramref name="state"/>: the node learns it from the
    /// cluster (a notification or its own report's answer), never from a timer in the test.
    /// </summary>
    public async Task WaitForDeploymentStateAsync(string provider, string upstreamModel, string state)
    {
        using var timeout = new CancellationTokenSource(StateTimeout);
        string? seen = null;
        while (!timeout.IsCancellationRequested)
        {
            seen = await DeploymentStateAsync(provider, upstreamModel);
            if (seen == state)
            {
                return;
            }

            await Task.Delay(20, CancellationToken.None);
        }

        throw new TimeoutException($"{Id}: {provider}/{upstreamModel} stayed '{seen}', never '{state}' within {StateTimeout}.");
    }

    /// <summary>Stops the node gracefully (it returns its leases and leaves the membership).</summary>
    public async Task StopAsync()
    {
        if (_app is { } app)
        {
            _app = null;
            await app.StopAsync();
            await app.DisposeAsync();
        }
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await StopAsync();
    }
}
