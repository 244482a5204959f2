using System.Globalization;
using System.Runtime;
using System.Runtime.InteropServices;
using System.Text.Json;
using Dispatcher.Benchmarks.Forwarding;
using Dispatcher.Benchmarks.Harness;
using Dispatcher.Benchmarks.Load;
using Dispatcher.Benchmarks.Reporting;

namespace Dispatcher.Benchmarks;

/// <summary>
/// The load benchmark of issue 8 (tests/Dispatcher.Benchmarks/README.md), and, with <c>forwarder</c> as the first
/// argument, the bare pass-through forwarder it measures as the floor.
/// Exit codes: 0 done, 1 a process did not start or died, 2 bad arguments, 3 requests failed during the run.
/// </summary>
internal static class Program
{
    public static async Task<int> Main(string[] args)
    {
        if (args.Length > 0 && args[0] == "forwarder")
        {
            Console.WriteLine($"forwarder: server GC {GCSettings.IsServerGC}, latency mode {GCSettings.LatencyMode}, "
                + $"thread-pool spin limit {Environment.GetEnvironmentVariable("DOTNET_ThreadPool_UnfairSemaphoreSpinLimit") ?? "default"}");
            await Forwarder.RunAsync(args[1..]);
            return 0;
        }

        if (Soak.SoakOptions.Wants(args))
        {
            return await Soak.SoakRun.RunAsync(args);
        }

        BenchOptions options;
        try
        {
            options = BenchOptions.Parse(args);
        }
        catch (FormatException ex)
        {
            await Console.Error.WriteLineAsync(ex.Message);
            await Console.Error.WriteLineAsync(BenchOptions.Usage);
            return 2;
        }

        if (!WrkRunner.IsInstalled())
        {
            await Console.Error.WriteLineAsync("wrk is not installed: apt-get install -y wrk (run.sh does it)");
            return 1;
        }

        var paths = RepoPaths.Find(options);
        if (!File.Exists(paths.DispatcherDll))
        {
            await Console.Error.WriteLineAsync($"{paths.DispatcherDll} is missing: dotnet build -c Release src/ApiFront (run.sh does it)");
            return 1;
        }

        // Ctrl+C or SIGTERM: the processes under test must not outlive the harness.
        using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, _ => Topology.Current?.KillAll());
        using var terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, _ => Topology.Current?.KillAll());
        var busy = await MachineCpu.BusyPercentAsync(TimeSpan.FromSeconds(2));
        for (var waited = 0; busy > 10 && waited < options.WaitQuietSeconds; waited += 5)
        {
            Console.WriteLine($"machine {busy:0}% busy: waiting for it to calm down ({waited} of {options.WaitQuietSeconds} s)");
            busy = await MachineCpu.BusyPercentAsync(TimeSpan.FromSeconds(5));
        }

        Console.WriteLine($"machine {busy:0}% busy before start");
        var work = Directory.CreateTempSubdirectory("dispatcher-bench-").FullName;
        Console.WriteLine($"logs and configs in {work}");
        var portkey = options.Portkey ? await PortkeyPeer.InstallAsync() : null;
        using var http = new HttpClient(new SocketsHttpHandler { UseProxy = false, PooledConnectionLifetime = Timeout.InfiniteTimeSpan })
        {
            Timeout = TimeSpan.FromSeconds(30),
        };

        try
        {
            await using var topology = await Topology.StartAsync(options, paths, work, http, portkey);
            Console.WriteLine("started: " + string.Join(", ", topology.Targets.Select(t => $"{t.Name} (pid {t.Process.Pid}, {t.BaseUrl})")));
            var run = new BenchmarkRun(options, topology, new WrkRunner(Path.Combine(work, "lua")), http);
            await run.RunAsync();
            var peakRss = run.PeakRss();
            await WriteResultsAsync(options, paths, topology.Targets, run, peakRss, ForwarderGc(topology), busy);
            if (run.Errors > 0)
            {
                await Console.Error.WriteLineAsync($"FAILED: {run.Errors} requests failed (non-2xx or socket errors); see the tables and {work}");
                return 3;
            }

            return 0;
        }
        catch (StartFailedException ex)
        {
            await Console.Error.WriteLineAsync($"FAILED: {ex.Message}");
            return 1;
        }
        catch (InvalidOperationException ex)
        {
            await Console.Error.WriteLineAsync($"FAILED: {ex.Message}");
            return 1;
        }
        catch (Npgsql.NpgsqlException ex)
        {
            await Console.Error.WriteLineAsync($"FAILED: the cluster target's PostgreSQL: {ex.Message}");
            return 1;
        }
    }

    private static async Task WriteResultsAsync(
        BenchOptions options, RepoPaths paths, IReadOnlyList<Target> targets, BenchmarkRun run, Dictionary<string, double> peakRss, string forwarderGc,
        double busyBeforeStart)
    {
        var machine = await MachineInfo.ReadAsync(paths.Root, busyBeforeStart);
        var summary = new RunSummary(run.Cells, run.Probes);
        var checks = TargetChecks.Evaluate(summary, run.Memory, options.Concurrency, run.ClusterDatabase);
        var markdown = MarkdownReport.Render(machine, options, targets, summary, checks, run.Memory, peakRss, forwarderGc, run.Notes, run.ClusterDatabase);
        var raw = Path.Combine(paths.ResultsDirectory, "raw");
        Directory.CreateDirectory(raw);
        var stamp = TimeProvider.System.GetUtcNow().ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture) + (options.Smoke ? "-smoke" : string.Empty);
        var rawPath = Path.Combine(raw, stamp + ".json");
        await File.WriteAllTextAsync(rawPath, JsonSerializer.Serialize(
            new RawResults(machine, options, run.Cells, run.Probes, run.Memory, peakRss, summary.Cells, summary.Probes, checks, run.ClusterDatabase),
            BenchJsonContext.Default.RawResults));
        await File.WriteAllTextAsync(Path.Combine(raw, stamp + ".md"), markdown);

        // A smoke run proves the harness works, a run with --dispatcher-env is an experiment: neither replaces the committed table.
        if (!options.Smoke && options.DispatcherEnvironment.Count == 0)
        {
            await File.WriteAllTextAsync(Path.Combine(paths.ResultsDirectory, "latest.md"), markdown);
        }

        Console.WriteLine();
        Console.WriteLine(markdown);
        Console.WriteLine($"raw numbers: {rawPath}");
        foreach (var check in checks)
        {
            Console.WriteLine($"{check.Verdict,-4}  {check.Variant,-16} {check.Check}: {check.Measured} (forwarder {check.Floor}, limit {check.Limit})");
        }
    }

    private static string ForwarderGc(Topology topology)
    {
        var forwarder = topology.Targets.First(t => t.Kind == TargetKind.Forwarder).Process;
        var line = File.ReadLines(forwarder.LogPath).FirstOrDefault(l => l.StartsWith("forwarder: server GC", StringComparison.Ordinal));
        return line?["forwarder: ".Length..] ?? "unknown";
    }
}
