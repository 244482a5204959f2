using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;

namespace Dispatcher.Cluster.Tests;

/// <summary>
/// deploy/local-cluster.sh, the deploy path this repository can test: PostgreSQL, three nodes and nginx come up,
/// requests through the balancer spread over the nodes, every node shows the same cluster-wide breaker window and
/// the same leases, and <c>stop</c> takes it all down.
/// </summary>
public sealed class LocalClusterScriptTests
{
    [Fact]
    public async Task StartRequestsStatusStop_EveryNodeSeesTheSameBreakerAndLeases()
    {
        var root = RepositoryRoot();
        var script = Path.Combine(root, "deploy", "local-cluster.sh");
        var state = Path.Combine(Path.GetTempPath(), "dispatcher-local-cluster-test-" + Guid.NewGuid().ToString("N"));
        var ports = Enumerable.Range(0, 5).Select(_ => FreePort()).ToArray();
        var environment = new Dictionary<string, string>
        {
            ["CLUSTER_DIR"] = state,
            ["LB_PORT"] = ports[0].ToString(CultureInfo.InvariantCulture),
            ["NODE_PORTS"] = string.Join(' ', ports[1..4]),
            ["PG_PORT"] = ports[4].ToString(CultureInfo.InvariantCulture),
            ["SKIP_BUILD"] = "1", // the solution's Release build is what the script runs
        };

        try
        {
            var started = await RunAsync(script, "start", environment);
            Assert.True(started.ExitCode == 0, started.Output);

            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
            var balancer = new Uri($"http://127.0.0.1:{ports[0]}/v1/chat/completions");
            for (var i = 0; i < 30; i++)
            {
                using var response = await http.PostAsJsonAsync(balancer, new { model = "demo", messages = new[] { new { role = "user", content = "hi" } } });
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            }

            // The nodes report within 100 ms; resyncs and grants settle within the lease TTL.
            string[] views = [];
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
            while (!timeout.IsCancellationRequested)
            {
                views = await Task.WhenAll(ports[1..4].Select(port => ClusterViewAsync(http, port)));
                if (views.Distinct().Count() == 1 && views[0].Contains("sim-primary/sim-fast-1", StringComparison.Ordinal))
                {
                    break;
                }

                await Task.Delay(100, CancellationToken.None);
            }

            Assert.Single(views.Distinct());
            Assert.Contains("lease sim-primary/keyless", views[0], StringComparison.Ordinal);
        }
        finally
        {
            var stopped = await RunAsync(script, "stop", environment);
            Assert.True(stopped.ExitCode == 0, stopped.Output);
            Assert.False(Directory.Exists(state));
        }
    }

    // What a node sees of the cluster: breaker rows with their window and version, and every live lease's grant.
    private static async Task<string> ClusterViewAsync(HttpClient http, int port)
    {
        using var document = JsonDocument.Parse(await http.GetStringAsync(new Uri($"http://127.0.0.1:{port}/v1/dispatcher/providers")));
        var cluster = document.RootElement.GetProperty("cluster");
        var lines = new List<string>();
        foreach (var breaker in cluster.GetProperty("breakers").EnumerateArray())
        {
            lines.Add($"breaker {breaker.GetProperty("provider").GetString()}/{breaker.GetProperty("model").GetString()} " +
                $"{breaker.GetProperty("state").GetString()} v{breaker.GetProperty("version").GetInt64()} " +
                $"{breaker.GetProperty("window_successes").GetInt32()}/{breaker.GetProperty("window_failures").GetInt32()}");
        }

        foreach (var lease in cluster.GetProperty("leases").EnumerateArray())
        {
            lines.Add($"lease {lease.GetProperty("provider").GetString()}/{lease.GetProperty("key_id").GetString()} " +
                $"{lease.GetProperty("node").GetString()} {lease.GetProperty("granted_requests").GetInt32()}");
        }

        return string.Join('\n', lines);
    }

    private static async Task<(int ExitCode, string Output)> RunAsync(string script, string command, Dictionary<string, string> environment)
    {
        var start = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(script);
        start.ArgumentList.Add(command);
        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, await output + await error);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Dispatcher.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("Dispatcher.sln not found above " + AppContext.BaseDirectory);
    }
}
