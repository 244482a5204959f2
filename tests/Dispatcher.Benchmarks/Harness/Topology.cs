using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;

namespace Dispatcher.Benchmarks.Harness;

/// <summary>
/// Every process of a run, each on its own free loopback port: FakeUpstream (answers everyone), a slow-streaming
/// FakeUpstream (the memory check), the forwarder, one Dispatcher per variant, optionally Portkey; for the
/// <c>cluster</c> target a throwaway PostgreSQL server too.
/// </summary>
internal sealed class Topology : IAsyncDisposable
{
    /// <summary>The answer FakeUpstream gives: ~90 words, streamed as 20 content deltas.</summary>
    public const string Content =
        "You will need: 1) your valid French passport, which must be valid for the whole stay; 2) an eTA (electronic " +
        "travel authorization) from the Canadian government, applied for online before you fly, usually approved " +
        "within minutes; 3) proof of onward or return travel and, if asked at the border, proof of funds and of where " +
        "you will stay. No visa is required for visits of up to six months.";

    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);
    private readonly List<ChildProcess> _processes = [];

    private Topology()
    {
    }

    /// <summary>The topology being started or run, for the interrupt handler; null before and after.</summary>
    public static Topology? Current { get; private set; }

    public ChildProcess Upstream { get; private set; } = null!;

    /// <summary>The server of the cluster target; null when it is not run.</summary>
    public PostgresServer? Postgres { get; private set; }

    /// <summary>The cluster target (Dispatcher in cluster mode); null when it is not run.</summary>
    public Target? Cluster { get; private set; }

    /// <summary>Counts the cluster node's database transactions; null when the cluster target is not run.</summary>
    public DbTransactionCounter? DbCounter { get; private set; }

    public Uri UpstreamUrl { get; private set; } = null!;

    public List<Target> Targets { get; } = [];

    /// <summary>Dispatcher variants for the memory check: name → (process, base URL).</summary>
    public List<Target> MemoryCheckTargets { get; } = [];

    public static async Task<Topology> StartAsync(BenchOptions options, RepoPaths paths, string workDirectory, HttpClient http, string? portkeyScript)
    {
        var topology = new Topology();
        Current = topology;
        try
        {
            await topology.StartAllAsync(options, paths, workDirectory, http, portkeyScript);
            return topology;
        }
        catch
        {
            await topology.DisposeAsync();
            throw;
        }
    }

    private async Task StartAllAsync(BenchOptions options, RepoPaths paths, string work, HttpClient http, string? portkeyScript)
    {
        var ready = new List<Task>();
        (ChildProcess Process, Uri Url) Launch(
            string name, string file, IEnumerable<string> args, string readyPath, IReadOnlyDictionary<string, string>? env = null, string? workingDirectory = null)
        {
            var port = FreePort();
            var url = new Uri($"http://127.0.0.1:{port}/");
            var resolvedArgs = args.Select(a => a.Replace("{url}", url.ToString().TrimEnd('/'), StringComparison.Ordinal)
                .Replace("{port}", port.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal));
            var process = ChildProcess.Start(name, file, resolvedArgs, Path.Combine(work, name + ".log"), env, workingDirectory);
            _processes.Add(process);
            ready.Add(process.WaitReadyAsync(http, new Uri(url, readyPath), StartTimeout));
            return (process, url);
        }

        if (options.Cluster)
        {
            // Assigned before it starts, so an interrupt during the start stops it too.
            Postgres = new PostgresServer(Path.Combine(paths.Root, "scripts", "postgres.sh"), Path.Combine(work, "postgres"));
            if (!await Postgres.TryStartAsync(FreePort()))
            {
                await Postgres.DisposeAsync();
                Postgres = null;
            }
        }

        (Upstream, UpstreamUrl) = Launch("fakeupstream", "dotnet",
            [paths.FakeUpstreamDll, "--urls", "{url}", "--content", Content, "--stream-chunks", "20"], "v1/models");
        var (_, slowUrl) = Launch("fakeupstream-slow", "dotnet",
            [paths.FakeUpstreamDll, "--urls", "{url}", "--content", Content, "--stream-chunks", "40", "--chunk-delay-ms", "25"], "v1/models");
        var (forwarder, forwarderUrl) = Launch("forwarder", "dotnet",
            [paths.BenchmarkDll, "forwarder", "--urls", "{url}", "--upstream", UpstreamUrl.ToString()], "healthz", RuntimeSettingsOf(paths.DispatcherDll));

        var dispatchers = new Dictionary<string, (ChildProcess Process, Uri Url)>(StringComparer.Ordinal);
        var variants = new List<(string Name, string Durability, PostgresServer? Cluster)>
        {
            ("dispatcher", "Acknowledged", null), ("dispatcher-async", "Async", null), ("dispatcher-fallback", "Acknowledged", null),
        };
        if (options.FallbackLive)
        {
            variants.Add(("dispatcher-fallback-live", "Acknowledged", null));
        }

        if (Postgres is not null)
        {
            variants.Add(("dispatcher-cluster", "Acknowledged", Postgres));
        }

        foreach (var (name, durability, cluster) in variants)
        {
            var data = Directory.CreateDirectory(Path.Combine(work, name + "-data")).FullName;
            var config = DispatcherConfig.Write(Path.Combine(work, name + ".json"), data, durability, UpstreamUrl, slowUrl,
                cluster is null ? null : (cluster.ConnectionString, "bench-node-1"));
            // Run from its output directory, as a deployed node is: the content root (appsettings.json) is the working directory.
            // A cluster node is ready (/readyz) once it has joined the cluster.
            dispatchers[name] = Launch(name, "dotnet", [paths.DispatcherDll, "--urls", "{url}", "--config", config], cluster is null ? "healthz" : "readyz",
                options.DispatcherEnvironment, Path.GetDirectoryName(paths.DispatcherDll));
        }

        await Task.WhenAll(ready);

        (ChildProcess Process, Uri Url)? portkey = null;
        if (portkeyScript is not null)
        {
            ready.Clear();
            var peer = Launch("portkey", "node", [portkeyScript, "--port={port}", "--headless"], "");
            try
            {
                await ready[0];
                portkey = peer;
            }
            catch (StartFailedException ex)
            {
                Console.WriteLine($"portkey: skipped, it did not start: {ex.Message}");
            }
        }

        var none = new Dictionary<string, string>();
        Targets.Add(new Target("direct", "FakeUpstream, no hop", TargetKind.Direct, Upstream, UpstreamUrl, "gpt-4o-mini", none));
        Targets.Add(new Target("forwarder", "bare .NET forwarder (the floor)", TargetKind.Forwarder, forwarder, forwarderUrl, "gpt-4o-mini", none));
        var dispatcher = new Target("dispatcher", "Dispatcher, one-model route, Ledger Acknowledged (default)", TargetKind.Dispatcher,
            dispatchers["dispatcher"].Process, dispatchers["dispatcher"].Url, "one", none);
        var dispatcherAsync = new Target("dispatcher-async", "Dispatcher, one-model route, Ledger Async", TargetKind.Dispatcher,
            dispatchers["dispatcher-async"].Process, dispatchers["dispatcher-async"].Url, "one", none);
        Targets.Add(dispatcher);
        Targets.Add(dispatcherAsync);
        Targets.Add(new Target("fallback", "Dispatcher, failing primary, breaker open (steady state: primary skipped)", TargetKind.Dispatcher,
            dispatchers["dispatcher-fallback"].Process, dispatchers["dispatcher-fallback"].Url, "fallback", none));
        if (options.FallbackLive)
        {
            Targets.Add(new Target("fallback-live", "Dispatcher, failing primary called on every request (breaker never opens)", TargetKind.Dispatcher,
                dispatchers["dispatcher-fallback-live"].Process, dispatchers["dispatcher-fallback-live"].Url, "fallback-live", none));
        }

        if (Postgres is not null)
        {
            var (node, nodeUrl) = dispatchers["dispatcher-cluster"];
            Cluster = new Target("cluster", "Dispatcher, cluster mode (PostgreSQL authority), Ledger Acknowledged", TargetKind.Dispatcher,
                node, nodeUrl, "one", none);
            Targets.Add(Cluster);
            DbCounter = new DbTransactionCounter(Postgres);
        }

        if (portkey is { } started)
        {
            Targets.Add(new Target("portkey", "Portkey gateway (npm @portkey-ai/gateway), peer", TargetKind.Peer, started.Process, started.Url, "gpt-4o-mini",
                new Dictionary<string, string>
                {
                    ["x-portkey-provider"] = "openai",
                    ["x-portkey-custom-host"] = new Uri(UpstreamUrl, "v1").ToString(),
                }));
        }

        MemoryCheckTargets.Add(dispatcher with { Model = "slowstream" });
        MemoryCheckTargets.Add(dispatcherAsync with { Model = "slowstream" });
    }

    /// <summary>
    /// The forwarder runs with Dispatcher's runtime settings (GC mode, thread-pool spinning), so CPU and memory
    /// compare code, not runtime knobs.
    /// </summary>
    private static Dictionary<string, string> RuntimeSettingsOf(string dispatcherDll)
    {
        var environment = new Dictionary<string, string>(StringComparer.Ordinal);
        var runtimeConfig = Path.ChangeExtension(dispatcherDll, ".runtimeconfig.json");
        if (!File.Exists(runtimeConfig))
        {
            return environment;
        }

        using var json = JsonDocument.Parse(File.ReadAllText(runtimeConfig));
        if (json.RootElement.GetProperty("runtimeOptions").TryGetProperty("configProperties", out var properties))
        {
            foreach (var (property, variable) in new[] { ("System.GC.Server", "DOTNET_gcServer"), ("System.GC.Concurrent", "DOTNET_gcConcurrent") })
            {
                if (properties.TryGetProperty(property, out var value) && value.ValueKind is JsonValueKind.True or JsonValueKind.False)
                {
                    environment[variable] = value.GetBoolean() ? "1" : "0";
                }
            }

            if (properties.TryGetProperty("System.Threading.ThreadPool.UnfairSemaphoreSpinLimit", out var spin) && spin.ValueKind == JsonValueKind.Number)
            {
                environment["DOTNET_ThreadPool_UnfairSemaphoreSpinLimit"] = spin.GetInt32().ToString(CultureInfo.InvariantCulture);
            }
        }

        return environment;
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>Ends every process at once (SIGKILL): the harness is being interrupted and cannot wait.</summary>
    public void KillAll()
    {
        foreach (var process in _processes)
        {
            process.Kill();
        }

        Postgres?.Stop();
    }

    public async ValueTask DisposeAsync()
    {
        await Task.WhenAll(_processes.Select(p => p.DisposeAsync().AsTask()));
        if (DbCounter is not null)
        {
            await DbCounter.DisposeAsync();
        }

        if (Postgres is not null)
        {
            await Postgres.DisposeAsync();
        }

        Current = null;
    }
}
