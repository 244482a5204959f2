namespace Dispatcher.Benchmarks.Reporting;

/// <summary>The cluster node's database transactions over one cell (the <c>cluster</c> target only).</summary>
/// <param name="Transactions"><c>xact_commit + xact_rollback</c> of the node's database, from a reading right before the
/// load to a reading <see cref="Harness.DbTransactionCounter.Settle"/> after it (PostgreSQL publishes them lazily).</param>
/// <param name="WindowSeconds">Time between the two readings.</param>
/// <param name="IdleTransactions">What the node does unloaded over a window as long (the idle rate × the window):
/// heartbeats, breaker resyncs, lease renewals.</param>
/// <param name="Requests">Requests completed in the cell.</param>
/// <param name="LoadSeconds">Seconds of load in the cell.</param>
internal sealed record DbTransactions(long Transactions, double WindowSeconds, double IdleTransactions, long Requests, double LoadSeconds)
{
    /// <summary>All transactions of the window per request.</summary>
    public double PerRequest => Transactions / (double)Math.Max(1, Requests);

    /// <summary>(cell − idle) ÷ requests: the steady-state round trips per request.</summary>
    public double NetPerRequest => (Transactions - IdleTransactions) / Math.Max(1, Requests);

    /// <summary>(cell − idle) per second of load: bounded by the report interval if nothing is per request.</summary>
    public double NetPerSecond => (Transactions - IdleTransactions) / LoadSeconds;
}
