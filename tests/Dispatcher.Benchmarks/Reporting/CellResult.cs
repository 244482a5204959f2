using Dispatcher.Benchmarks.Load;

namespace Dispatcher.Benchmarks.Reporting;

/// <summary>One wrk run: a target, stream mode and concurrency in one round, with the processes' CPU over the run.</summary>
/// <param name="ProxyCpuUsPerRequest">CPU (user + system) of the target's process per completed request.</param>
/// <param name="UpstreamCpuUsPerRequest">CPU of FakeUpstream per completed request.</param>
/// <param name="UpstreamCallsPerRequest">Calls FakeUpstream received per completed request (2 on a live fallback).</param>
/// <param name="OtherCpuPercent">Share of the machine (all cores) busy with anything but wrk, the proxy and FakeUpstream
/// during the run: other processes disturb the measurement.</param>
/// <param name="Db">The node's database transactions (the cluster target only; filled in once they are published).</param>
internal sealed record CellResult(
    int Round, string Target, bool Stream, int Concurrency, WrkResult Wrk,
    double ProxyCpuUsPerRequest, double UpstreamCpuUsPerRequest, double UpstreamCallsPerRequest, double OtherCpuPercent,
    DbTransactions? Db = null);
