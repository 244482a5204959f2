using System.Globalization;
using System.Text;
using Dispatcher.Benchmarks.Harness;

namespace Dispatcher.Benchmarks.Reporting;

/// <summary>Writes results/latest.md: machine, settings, issue 8's targets, then the tables.</summary>
internal static class MarkdownReport
{
    public static string Render(
        MachineInfo machine, BenchOptions options, IReadOnlyList<Target> targets, RunSummary summary, IReadOnlyList<TargetCheck> checks,
        IReadOnlyList<MemoryCheck> memory, IReadOnlyDictionary<string, double> peakRss, string forwarderGc, IReadOnlyList<string> notes,
        ClusterDatabaseInfo? database)
    {
        var md = new StringBuilder();
        md.AppendLine("# Dispatcher load benchmark: latest run").AppendLine();
        md.AppendLine(Inv($"Machine: {machine.Cores} cores (`nproc`), {machine.CpuModel}, {machine.MemoryGiB} GiB, Linux {machine.Kernel}; {machine.Runtime}; {machine.Wrk}.  "));
        md.AppendLine(Inv($"Date: {machine.Date}. Commit: {machine.Commit}.  "));
        var other = summary.Cells.Select(c => c.OtherCpuPercent).ToList();
        md.AppendLine(Inv($"Other load (CPU of processes other than wrk, the proxy and FakeUpstream, share of all cores): {machine.BusyBeforeStartPercent:0}% before start; ") +
            Inv($"during cells median {Stats.Median(other):0}%, max {other.DefaultIfEmpty(0).Max():0}%.  "));
        md.AppendLine(Inv($"Run: {options.Rounds} interleaved rounds × {options.DurationSeconds} s per cell, concurrency {string.Join(", ", options.Concurrency)}, ") +
            Inv($"non-streaming and streaming (20 content chunks per answer); sequential pass {options.ProbeRequests} requests per target, mode and round; ") +
            Inv($"{(options.Smoke ? "smoke run" : "full run")}. Rerun: `tests/Dispatcher.Benchmarks/run.sh`.")).AppendLine();
        if (options.DispatcherEnvironment.Count > 0)
        {
            md.AppendLine("**Not the default configuration**: Dispatcher ran with " +
                string.Join(", ", options.DispatcherEnvironment.Select(v => $"`{v.Key}={v.Value}`")) + ".").AppendLine();
        }

        md.AppendLine("Targets:").AppendLine();
        foreach (var target in targets)
        {
            md.AppendLine(Inv($"- `{target.Name}`: {target.Description}"));
        }

        md.AppendLine().AppendLine("## Issue 8 targets (against the forwarder in this run)").AppendLine();
        md.AppendLine("| check | variant | Dispatcher | forwarder | limit | verdict |");
        md.AppendLine("|---|---|---|---|---|---|");
        foreach (var check in checks)
        {
            md.AppendLine(Inv($"| {check.Check} | {check.Variant} | {check.Measured} | {check.Floor} | {check.Limit} | **{check.Verdict}** |"));
        }

        foreach (var stream in new[] { false, true })
        {
            md.AppendLine().AppendLine(stream ? "## Load: streaming (`\"stream\": true`)" : "## Load: non-streaming").AppendLine();
            md.AppendLine("| target | conc | req/s | p50 ms | p99 ms | added p50 ms | CPU µs/req (proxy) | CPU µs/req (upstream) | upstream calls/req | db tx/req | db tx/req net of idle | other load % | errors |");
            md.AppendLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
            foreach (var c in options.Concurrency)
            {
                foreach (var target in targets)
                {
                    if (summary.Cell(target.Name, stream, c) is not { } cell)
                    {
                        continue;
                    }

                    var added = target.Name == RunSummary.Direct ? "-" : Inv($"{cell.AddedP50Ms:0.000}");
                    var proxyCpu = target.Kind == TargetKind.Direct ? "-" : Inv($"{cell.CpuUsPerRequest:0}");
                    var db = double.IsNaN(cell.DbTxPerRequest) ? "- | -" : Inv($"{cell.DbTxPerRequest:0.0000} | {cell.DbTxNetPerRequest:0.0000}");
                    md.AppendLine(Inv($"| {target.Name} | {c} | {cell.RequestsPerSecond:0} | {cell.P50Ms:0.000} | {cell.P99Ms:0.000} | {added} | {proxyCpu} | ") +
                        Inv($"{cell.UpstreamCpuUsPerRequest:0} | {cell.UpstreamCallsPerRequest:0.00} | {db} | {cell.OtherCpuPercent:0} | {cell.Errors} |"));
                }
            }
        }

        md.AppendLine().AppendLine("## Sequential pass (concurrency 1, .NET HttpClient, no other load)").AppendLine();
        md.AppendLine("| target | non-stream p50 ms | stream TTFB p50 ms | stream TTFB added ms | stream p50 ms | x-dispatcher-overhead-ms p50 (non-stream / stream) | attempts | served by | peak RSS MB | errors |");
        md.AppendLine("|---|---:|---:|---:|---:|---|---:|---|---:|---:|");
        foreach (var target in targets)
        {
            var json = summary.Probe(target.Name, false);
            var sse = summary.Probe(target.Name, true);
            if (json is null && sse is null)
            {
                continue;
            }

            var overhead = json?.OverheadP50Ms is null && sse?.OverheadP50Ms is null ? "-" : Inv($"{Ms(json?.OverheadP50Ms)} / {Ms(sse?.OverheadP50Ms)}");
            var ttfbAdded = target.Name == RunSummary.Direct ? "-" : Ms(sse?.TtfbAddedMs);
            md.AppendLine(Inv($"| {target.Name} | {Ms(json?.LatencyP50Ms)} | {Ms(sse?.TtfbP50Ms)} | {ttfbAdded} | ") +
                Inv($"{Ms(sse?.LatencyP50Ms)} | {overhead} | {json?.Attempts ?? "-"} | {json?.ServedBy ?? "-"} | {peakRss.GetValueOrDefault(target.Name):0} | ") +
                Inv($"{(json?.Errors ?? 0) + (sse?.Errors ?? 0)} |"));
        }

        if (memory.Count > 0)
        {
            md.AppendLine().AppendLine("## Memory: concurrent long streams through Dispatcher").AppendLine();
            md.AppendLine("| variant | concurrent streams | seconds | streams completed | stream p50 ms | max RSS during check MB | lifetime peak RSS (VmHWM) MB | errors |");
            md.AppendLine("|---|---:|---:|---:|---:|---:|---:|---:|");
            foreach (var m in memory)
            {
                md.AppendLine(Inv($"| {m.Target} | {m.Streams} | {m.Seconds} | {m.Completed} | {m.StreamP50Ms:0} | {m.MaxRssMB:0.0} | {m.LifetimeHwmMB:0.0} | {m.Errors} |"));
            }
        }

        md.AppendLine().AppendLine("## How to read it").AppendLine();
        foreach (var note in notes)
        {
            md.AppendLine("- " + note);
        }

        md.AppendLine("- Each figure is the median over rounds; \"added\" figures are differences taken within a round, then the median.");
        md.AppendLine("- Latency (p50, p99) is wrk's, for the whole answer (a stream's last byte), with wrk's coordinated-omission correction " +
            "(a stall adds synthetic samples, so stalls caused by other load weigh on p50 at c=1 too). Added p50 = target p50 − direct p50.");
        md.AppendLine("- Other load %: CPU used during the cell by anything but wrk, the proxy and FakeUpstream (/proc/stat minus those), as a share " +
            "of all cores. Above a few percent, latency figures of that cell are disturbed; CPU per request much less so.");
        md.AppendLine("- CPU µs/req (proxy) = (utime + stime) of the proxy's process over the wrk run ÷ completed requests, from /proc/<pid>/stat " +
            "(10 ms ticks); for `direct` see the upstream column. It includes every thread (GC, ledger writer, timers). At c=1 an idle-ish " +
            ".NET process also spends CPU spinning in its thread pool, so that row is the noisiest.");
        md.AppendLine("- TTFB: send to first body byte, sequential .NET HttpClient pass; overhead-ms: the p50 of Dispatcher's `x-dispatcher-overhead-ms` header in that pass.");
        md.AppendLine("- Upstream calls/req: calls FakeUpstream received ÷ requests answered (2 = a live fallback: one failing call, one served).");
        md.AppendLine(DatabaseNote(database));
        md.AppendLine(Inv($"- The forwarder runs with Dispatcher's runtime settings ({forwarderGc}), so the CPU ratio compares code, not runtime knobs."));
        md.AppendLine("- 2 cores: wrk, FakeUpstream and the proxy share them. At c=16 and c=64 the machine is saturated, so req/s measures total CPU " +
            "per request of the whole chain and latency includes queueing; c=1 is where added latency is meaningful.");
        return md.ToString();
    }

    private static string DatabaseNote(ClusterDatabaseInfo? database)
    {
        const string Embedded = " Embedded-mode targets have no database round trips: their SQLite ledger is in-process and its CPU is in the proxy's column.";
        if (database is null)
        {
            return "- db tx/req: the cluster target did not run (`--no-cluster`, or PostgreSQL could not be installed or started)." + Embedded;
        }

        var ledger = database.LedgerInDatabase
            ? $"The ledger is in PostgreSQL too ({string.Join(", ", database.OtherTables)}): each of its group commits is one transaction in the count, " +
              "so the authority check cannot be judged from it (n/a)."
            : "The ledger of this build is the node's SQLite file, so every counted transaction is the authority's.";
        return Inv($"- db tx/req (cluster only): transactions (`xact_commit + xact_rollback` of `pg_stat_database`) of the node's database `{database.Database}` ") +
            Inv($"from right before the cell to {database.SettleSeconds:0} s after it (PostgreSQL publishes a backend's counters late: at its next transaction a second or more after the last, which the node's 2.5 s heartbeat provides), ÷ requests; ") +
            Inv($"net of idle subtracts the node's background (heartbeats, breaker resyncs, lease renewals) measured unloaded: {database.IdleTransactions} ") +
            Inv($"transactions in {database.IdleSeconds:0.0} s ({database.IdlePerSecond:0.00}/s), scaled to each cell's window. Outcome reports are batched ") +
            "(one round trip per `Cluster:ReportInterval`, 100 ms), so net tx/req falls as the request rate rises; a round trip per request would be ≥ 1. " +
            ledger + Embedded;
    }

    private static string Ms(double? value) => value is { } v ? v.ToString("0.000", CultureInfo.InvariantCulture) : "-";

    private static string Inv(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
