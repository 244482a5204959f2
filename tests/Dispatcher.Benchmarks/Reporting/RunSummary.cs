namespace Dispatcher.Benchmarks.Reporting;

/// <summary>Aggregates the rounds of a run; differences are taken within a round, then the median over rounds.</summary>
internal sealed class RunSummary
{
    public const string Direct = "direct";

    private readonly IReadOnlyList<CellResult> _cells;
    private readonly IReadOnlyList<ProbeRecord> _probes;

    public RunSummary(IReadOnlyList<CellResult> cells, IReadOnlyList<ProbeRecord> probes)
    {
        _cells = cells;
        _probes = probes;
        Cells = cells
            .GroupBy(c => (c.Target, c.Stream, c.Concurrency))
            .Select(g => new CellSummary(
                g.Key.Target, g.Key.Stream, g.Key.Concurrency,
                Stats.Median(g.Select(c => c.Wrk.RequestsPerSecond)),
                Stats.Median(g.Select(c => c.Wrk.P50Us / 1000)),
                Stats.Median(g.Select(c => c.Wrk.P99Us / 1000)),
                P50Difference(g.Key.Target, Direct, g.Key.Stream, g.Key.Concurrency),
                Stats.Median(g.Select(c => c.ProxyCpuUsPerRequest)),
                Stats.Median(g.Select(c => c.UpstreamCpuUsPerRequest)),
                Stats.Median(g.Select(c => c.UpstreamCallsPerRequest)),
                Stats.Median(g.Select(c => c.OtherCpuPercent)),
                g.Sum(c => c.Wrk.Non2xx + c.Wrk.SocketErrors),
                Stats.Median(g.Where(c => c.Db is not null).Select(c => c.Db!.PerRequest)),
                Stats.Median(g.Where(c => c.Db is not null).Select(c => c.Db!.NetPerRequest)),
                Stats.Median(g.Where(c => c.Db is not null).Select(c => c.Db!.NetPerSecond))))
            .ToList();
        Probes = probes
            .GroupBy(p => (p.Target, p.Stream))
            .Select(g => new ProbeSummary(
                g.Key.Target, g.Key.Stream,
                Stats.Median(g.Select(p => p.Result.LatencyP50Ms)),
                Stats.Median(g.Select(p => p.Result.TtfbP50Ms)),
                TtfbDifference(g.Key.Target, Direct, g.Key.Stream),
                g.All(p => p.Result.OverheadP50Ms is null) ? null : Stats.Median(g.Where(p => p.Result.OverheadP50Ms is not null).Select(p => p.Result.OverheadP50Ms!.Value)),
                g.Select(p => p.Result.Attempts).LastOrDefault(),
                g.Select(p => p.Result.ServedBy).LastOrDefault(),
                g.Sum(p => p.Result.Errors)))
            .ToList();
    }

    public IReadOnlyList<CellSummary> Cells { get; }

    public IReadOnlyList<ProbeSummary> Probes { get; }

    public CellSummary? Cell(string target, bool stream, int concurrency) =>
        Cells.FirstOrDefault(c => c.Target == target && c.Stream == stream && c.Concurrency == concurrency);

    public ProbeSummary? Probe(string target, bool stream) => Probes.FirstOrDefault(p => p.Target == target && p.Stream == stream);

    /// <summary>Median over rounds of (p50 of <paramref name="target"/> − p50 of <paramref name="baseline"/>), in ms.</summary>
    public double P50Difference(string target, string baseline, bool stream, int concurrency) =>
        Stats.Median(_cells
            .Where(c => c.Target == target && c.Stream == stream && c.Concurrency == concurrency)
            .Join(_cells.Where(c => c.Target == baseline && c.Stream == stream && c.Concurrency == concurrency),
                c => c.Round, b => b.Round, (c, b) => (c.Wrk.P50Us - b.Wrk.P50Us) / 1000));

    /// <summary>Median over rounds of (sequential-pass latency p50 of <paramref name="target"/> − that of
    /// <paramref name="baseline"/>), in ms: the same question as <see cref="P50Difference"/> at c=1, without wrk's correction.</summary>
    public double ProbeLatencyDifference(string target, string baseline, bool stream) =>
        Stats.Median(_probes
            .Where(p => p.Target == target && p.Stream == stream)
            .Join(_probes.Where(p => p.Target == baseline && p.Stream == stream),
                p => p.Round, b => b.Round, (p, b) => p.Result.LatencyP50Ms - b.Result.LatencyP50Ms));

    /// <summary>Median over rounds of (TTFB p50 of <paramref name="target"/> − that of <paramref name="baseline"/>), in ms.</summary>
    public double TtfbDifference(string target, string baseline, bool stream) =>
        Stats.Median(_probes
            .Where(p => p.Target == target && p.Stream == stream)
            .Join(_probes.Where(p => p.Target == baseline && p.Stream == stream),
                p => p.Round, b => b.Round, (p, b) => p.Result.TtfbP50Ms - b.Result.TtfbP50Ms));
}
