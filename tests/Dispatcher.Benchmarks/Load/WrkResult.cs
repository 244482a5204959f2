namespace Dispatcher.Benchmarks.Load;

/// <summary>What one wrk run reported (latencies in microseconds, from wrk's own histogram, which wrk corrects for
/// coordinated omission: a stall longer than the expected interval adds synthetic samples).</summary>
/// <param name="CpuMicroseconds">wrk's own CPU (user + system) over the run.</param>
internal sealed record WrkResult(
    long Requests, double DurationSeconds, double P50Us, double P90Us, double P99Us, double MeanUs, long SocketErrors, long Non2xx,
    double CpuMicroseconds)
{
    public double RequestsPerSecond => DurationSeconds > 0 ? Requests / DurationSeconds : 0;
}
