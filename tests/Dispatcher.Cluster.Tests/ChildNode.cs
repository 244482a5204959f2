using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Dispatcher.Cluster.Tests;

/// <summary>
/// A node of the test cluster running as its own process (the ApiFront build copied next to the tests), configured
/// through environment variables as a deployed node is. <see cref="Kill"/> ends it without any shutdown.
/// </summary>
public sealed class ChildNode : IAsyncDisposable
{
    private static readonly TimeSpan ReadyTimeout = TimeSpan.FromSeconds(60);
    private readonly Process _process;

    private ChildNode(string id, Process process, Uri baseUrl)
    {
        Id = id;
        _process = process;
        BaseUrl = baseUrl;
        Http = new HttpClient { BaseAddress = baseUrl, Timeout = TimeSpan.FromSeconds(30) };
    }

    public string Id { get; }

    public Uri BaseUrl { get; }

    public HttpClient Http { get; }

    public static async Task<ChildNode> StartAsync(string id, IReadOnlyDictionary<string, string?> configuration)
    {
        var port = FreePort();
        var baseUrl = new Uri($"http://127.0.0.1:{port}/");
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = AppContext.BaseDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Dispatcher.ApiFront.dll"));
        start.Environment["ASPNETCORE_URLS"] = baseUrl.ToString().TrimEnd('/');
        start.Environment["Logging__LogLevel__Default"] = "Warning";
        foreach (var (key, value) in configuration)
        {
            start.Environment[key.Replace(":", "__", StringComparison.Ordinal)] = value;
        }

        var process = Process.Start(start)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var node = new ChildNode(id, process, baseUrl);
        using var timeout = new CancellationTokenSource(ReadyTimeout);
        while (true)
        {
            try
            {
                using var ready = await node.Http.GetAsync("/readyz", timeout.Token);
                if (ready.StatusCode == HttpStatusCode.OK)
                {
                    return node;
                }
            }
            catch (HttpRequestException) when (!process.HasExited)
            {
                // Not listening yet.
            }

            if (process.HasExited)
            {
                throw new InvalidOperationException($"{id} exited with {process.ExitCode} before it was ready.");
            }

            await Task.Delay(50, timeout.Token);
        }
    }

    /// <summary>SIGKILL: no graceful shutdown, no lease returned, nothing flushed.</summary>
    public void Kill()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit();
        }
    }

    public ValueTask DisposeAsync()
    {
        Kill();
        Http.Dispose();
        _process.Dispose();
        return ValueTask.CompletedTask;
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
