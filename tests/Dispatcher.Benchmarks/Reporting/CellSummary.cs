namespace Dispatcher.Benchmarks.Reporting;

/// <summary>A cell over all rounds: medians of the per-round figures.</summary>
/// <param name="AddedP50Ms">Median over rounds of (this p50 − direct p50 in the same round, mode and concurrency).</param>
/// <param name="DbTxPerRequest">Database transactions per request (cluster target; NaN otherwise).</param>
/// <param name="DbTxNetPerRequest">The same net of the idle background: (cell − idle) ÷ requests.</param>
/// <param name="DbTxNetPerSecond">(cell − idle) transactions per second of load.</param>
internal sealed record CellSummary(
    string Target, bool Stream, int Concurrency, double RequestsPerSecond, double P50Ms, double P99Ms, double AddedP50Ms,
    double CpuUsPerRequest, double UpstreamCpuUsPerRequest, double UpstreamCallsPerRequest, double OtherCpuPercent, long Errors,
    double DbTxPerRequest, double DbTxNetPerRequest, double DbTxNetPerSecond);
