namespace Dispatcher.Benchmarks.Load;

/// <summary>One sequential pass (concurrency 1, .NET HttpClient) against one target; times in milliseconds.</summary>
/// <param name="TtfbP50Ms">Send to first body byte (for streams, the first SSE bytes the client sees).</param>
/// <param name="OverheadP50Ms">p50 of <c>x-dispatcher-overhead-ms</c>, or null when the target does not send it.</param>
/// <param name="Attempts">The most frequent <c>x-dispatcher-attempts</c>, or null.</param>
/// <param name="ServedBy">The most frequent <c>x-dispatcher-model</c>, or null.</param>
internal sealed record ProbeResult(
    int Requests, int Errors, double LatencyP50Ms, double TtfbP50Ms, double? OverheadP50Ms, string? Attempts, string? ServedBy,
    string? FirstError);
