namespace Dispatcher.Benchmarks.Reporting;

/// <summary>The sequential passes of one target and mode over all rounds (medians of the per-round p50s).</summary>
/// <param name="TtfbAddedMs">Median over rounds of (this TTFB p50 − direct TTFB p50 in the same round).</param>
internal sealed record ProbeSummary(
    string Target, bool Stream, double LatencyP50Ms, double TtfbP50Ms, double TtfbAddedMs, double? OverheadP50Ms,
    string? Attempts, string? ServedBy, int Errors);
