using System.Diagnostics;
using System.Text.Json;
using Dispatcher.Benchmarks.Load;
using Dispatcher.Benchmarks.Reporting;

namespace Dispatcher.Benchmarks.Harness;

/// <summary>
/// Drives one run: a warm-up per target, then interleaved rounds (stream mode → concurrency → every target, the
/// target order rotating each round so none always runs first), a sequential probe pass per target each round, and
/// the 64-stream memory check. For the cluster target it counts the node's database transactions per cell and over an
/// idle window (<see cref="ClusterDbCounts"/>).
/// </summary>
internal sealed class BenchmarkRun
{
    private const int MemoryCheckStreams = 64;
    private readonly BenchOptions _options;
    private readonly Topology _topology;
    private readonly WrkRunner _wrk;
    private readonly HttpClient _http;
    private readonly List<CellResult> _cells = [];
    private readonly List<ProbeRecord> _probes = [];
    private readonly List<MemoryCheck> _memory = [];
    private readonly HashSet<(string Target, bool Stream)> _skipped = [];
    private readonly ClusterDbCounts? _db;

    public BenchmarkRun(BenchOptions options, Topology topology, WrkRunner wrk, HttpClient http)
    {
        _options = options;
        _topology = topology;
        _wrk = wrk;
        _http = http;
        if (topology is { Cluster: { } cluster, DbCounter: { } counter })
        {
            _db = new ClusterDbCounts(counter, cluster, _cells, TimeSpan.FromSeconds(options.DurationSeconds));
        }
    }

    /// <summary>Request errors seen anywhere (non-2xx, socket errors, failed probe requests).</summary>
    public long Errors { get; private set; }

    public IReadOnlyList<CellResult> Cells => _cells;

    public IReadOnlyList<ProbeRecord> Probes => _probes;

    public IReadOnlyList<MemoryCheck> Memory => _memory;

    /// <summary>What was left out of the run and why (a peer that fails one mode).</summary>
    public List<string> Notes { get; } = [];

    /// <summary>The cluster target's database over the run; null when it did not run.</summary>
    public ClusterDatabaseInfo? ClusterDatabase { get; private set; }

    public async Task RunAsync()
    {
        var duration = TimeSpan.FromSeconds(_options.DurationSeconds);
        bool[] modes = [false, true];
        await WarmUpAsync(modes);
        var targets = _topology.Targets;
        for (var round = 1; round <= _options.Rounds; round++)
        {
            var order = targets.Skip((round - 1) % targets.Count).Concat(targets.Take((round - 1) % targets.Count)).ToList();
            foreach (var stream in modes)
            {
                foreach (var concurrency in _options.Concurrency)
                {
                    foreach (var target in order.Where(t => !_skipped.Contains((t.Name, stream))))
                    {
                        var cell = await RunCellAsync(round, target, stream, concurrency, duration);
                        _cells.Add(cell);
                        Console.WriteLine(
                            $"round {round} {(stream ? "stream" : "json"),-6} c={concurrency,-3} {target.Name,-16} " +
                            $"{cell.Wrk.RequestsPerSecond,8:0} req/s  p50 {cell.Wrk.P50Us / 1000,7:0.000} ms  p99 {cell.Wrk.P99Us / 1000,7:0.000} ms  " +
                            $"cpu {cell.ProxyCpuUsPerRequest,6:0} µs/req  other load {cell.OtherCpuPercent,3:0}%{ErrorText(cell.Wrk)}");
                    }
                }
            }

            foreach (var target in order)
            {
                foreach (var stream in modes.Where(m => !_skipped.Contains((target.Name, m))))
                {
                    await ProbeAsync(round, target, stream, _options.ProbeRequests);
                }
            }
        }

        if (!_options.Smoke)
        {
            foreach (var target in _topology.MemoryCheckTargets)
            {
                await MemoryCheckAsync(target);
            }
        }

        if (_db is not null)
        {
            ClusterDatabase = await _db.FinishAsync();
        }
    }

    private static string ErrorText(WrkResult wrk) =>
        wrk.Non2xx + wrk.SocketErrors > 0 ? $"  ERRORS: {wrk.Non2xx} non-2xx, {wrk.SocketErrors} socket" : string.Empty;

    private async Task WarmUpAsync(bool[] modes)
    {
        Task? idle = null;
        // The cluster node first: its idle window then passes while the others warm up.
        foreach (var target in _topology.Targets.OrderBy(t => _db?.IsCluster(t) == true ? 0 : 1).ToList())
        {
            if (idle is null && _db is not null && !_db.IsCluster(target))
            {
                idle = _db.MeasureIdleAsync();
            }

            foreach (var stream in modes)
            {
                // A short probe first: it proves the target answers 2xx before any load.
                var check = await SequentialProbe.RunAsync(_http, target, stream, 20);
                if (check.Errors > 0)
                {
                    if (target.Kind == TargetKind.Peer)
                    {
                        var cause = target.Process.LogTail(200).Split('\n')
                            .FirstOrDefault(l => l.Contains("error", StringComparison.OrdinalIgnoreCase))?.Trim() ?? "no error line in its log";
                        var note = $"{target.Name}: {(stream ? "streaming" : "non-streaming")} skipped, it answered {check.FirstError}; " +
                            $"its log says: `{(cause.Length > 160 ? cause[..160] : cause)}`";
                        Console.WriteLine(note);
                        Notes.Add(note);
                        _skipped.Add((target.Name, stream));
                        continue;
                    }

                    throw new InvalidOperationException(
                        $"{target.Name} answered {check.FirstError} to {check.Errors} of 20 {(stream ? "stream" : "json")} requests. " +
                        $"Log {target.Process.LogPath}:\n{target.Process.LogTail()}");
                }

                if (_options.WarmupSeconds > 0)
                {
                    var script = _wrk.WriteScript(target, stream);
                    await WrkRunner.RunAsync(target.ChatUrl, script, _options.Concurrency.Max(), TimeSpan.FromSeconds(_options.WarmupSeconds));
                }

                _db?.MarkActive(target);
            }
        }

        if (idle is not null)
        {
            await idle;
        }

        Console.WriteLine($"warm-up done: {string.Join(", ", _topology.Targets.Select(t => t.Name))}");
    }

    private async Task<CellResult> RunCellAsync(int round, Target target, bool stream, int concurrency, TimeSpan duration)
    {
        var dbBefore = _db is null ? null : await _db.BeforeCellAsync(target);
        var script = _wrk.WriteScript(target, stream);
        var upstream = _topology.Upstream;
        var calls = await UpstreamCallsAsync();
        var proxyCpu = ProcStat.CpuMicroseconds(target.Process.Pid);
        var upstreamCpu = ProcStat.CpuMicroseconds(upstream.Pid);
        var machineCpu = MachineCpu.BusyMicroseconds();
        var clock = Stopwatch.StartNew();
        var wrk = await WrkRunner.RunAsync(target.ChatUrl, script, concurrency, duration);
        var elapsed = clock.Elapsed;
        machineCpu = MachineCpu.BusyMicroseconds() - machineCpu;
        proxyCpu = ProcStat.CpuMicroseconds(target.Process.Pid) - proxyCpu;
        upstreamCpu = ProcStat.CpuMicroseconds(upstream.Pid) - upstreamCpu;
        var ours = wrk.CpuMicroseconds + proxyCpu + (target.Process == upstream ? 0 : upstreamCpu);
        var other = Math.Max(0, machineCpu - ours) / (elapsed.TotalMicroseconds * Environment.ProcessorCount) * 100;
        calls = await UpstreamCallsAsync() - calls;
        EnsureAlive(target);
        Errors += wrk.Non2xx + wrk.SocketErrors;
        var completed = Math.Max(1, wrk.Requests);
        var cell = new CellResult(
            round, target.Name, stream, concurrency, wrk, proxyCpu / completed, upstreamCpu / completed, (double)calls / completed, other);
        if (dbBefore is { } before)
        {
            _db!.AfterCell(cell, before);
        }

        return cell;
    }

    private async Task ProbeAsync(int round, Target target, bool stream, int requests)
    {
        if (_db is not null)
        {
            await _db.BeforeLoadAsync(target);
        }

        var result = await SequentialProbe.RunAsync(_http, target, stream, requests);
        Errors += result.Errors;
        _probes.Add(new ProbeRecord(round, target.Name, stream, result));
        _db?.MarkActive(target);
        EnsureAlive(target);
    }

    private async Task MemoryCheckAsync(Target target)
    {
        var script = _wrk.WriteScript(target, stream: true);
        var seconds = _options.RssCheckSeconds;
        var maxRss = 0.0;
        using var sampling = new CancellationTokenSource();
        var sampler = SampleAsync();
        var wrk = await WrkRunner.RunAsync(target.ChatUrl, script, MemoryCheckStreams, TimeSpan.FromSeconds(seconds));
        await sampling.CancelAsync();
        await sampler;
        EnsureAlive(target);
        Errors += wrk.Non2xx + wrk.SocketErrors;
        var check = new MemoryCheck(target.Name, MemoryCheckStreams, seconds, wrk.Requests, wrk.Non2xx + wrk.SocketErrors,
            wrk.P50Us / 1000, maxRss, ProcStat.StatusMB(target.Process.Pid, "VmHWM"));
        _memory.Add(check);
        Console.WriteLine($"memory check {target.Name}: {MemoryCheckStreams} concurrent streams, {check.Completed} completed " +
            $"(p50 {check.StreamP50Ms:0} ms each), max RSS {check.MaxRssMB:0.0} MB, lifetime peak {check.LifetimeHwmMB:0.0} MB{ErrorText(wrk)}");

        async Task SampleAsync()
        {
            while (!sampling.IsCancellationRequested)
            {
                maxRss = Math.Max(maxRss, ProcStat.StatusMB(target.Process.Pid, "VmRSS"));
                try
                {
                    await Task.Delay(100, sampling.Token);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
            }
        }
    }

    private static void EnsureAlive(Target target)
    {
        if (target.Process.HasExited)
        {
            throw new StartFailedException(target.Process, "exited during the run");
        }
    }

    private async Task<long> UpstreamCallsAsync()
    {
        using var json = await JsonDocument.ParseAsync(await _http.GetStreamAsync(new Uri(_topology.UpstreamUrl, "_control/calls")));
        return json.RootElement.GetProperty("total").GetInt64();
    }

    /// <summary>Peak resident set (VmHWM) of each target's process, measured now.</summary>
    public Dictionary<string, double> PeakRss() =>
        _topology.Targets.ToDictionary(t => t.Name, t => ProcStat.StatusMB(t.Process.Pid, "VmHWM"), StringComparer.Ordinal);
}
