namespace Dispatcher.Benchmarks.Reporting;

/// <summary>Everything a run measured, written as JSON under results/raw/.</summary>
internal sealed record RawResults(
    MachineInfo Machine,
    Harness.BenchOptions Options,
    IReadOnlyList<CellResult> Cells,
    IReadOnlyList<ProbeRecord> Probes,
    IReadOnlyList<MemoryCheck> Memory,
    IReadOnlyDictionary<string, double> PeakRssMB,
    IReadOnlyList<CellSummary> CellSummaries,
    IReadOnlyList<ProbeSummary> ProbeSummaries,
    IReadOnlyList<TargetCheck> Checks,
    ClusterDatabaseInfo? ClusterDatabase);
