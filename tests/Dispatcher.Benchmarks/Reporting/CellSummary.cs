namespace Dispatcher.Benchmarks.Reporting;

/// <summary>A cell over all rounds: medians of the per-round figures.</summary>
/// <param name="AddedP50Ms">Median over rounds of (this p50 − direct p50 in the same round, mode and concurrency).</param>
internal sealed record CellSummary(
    string Target, bool Stream, int Concurrency, double RequestsPerSecond, double P50Ms, double P99Ms, double AddedP50Ms,
    double CpuUsPerRequest, double UpstreamCpuUsPerRequest, double UpstreamCallsPerRequest, double OtherCpuPercent, long Errors);
