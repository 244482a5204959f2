namespace Dispatcher.Benchmarks.Reporting;

/// <summary>The cluster target's database over the run: the idle measurement and what else lives there.</summary>
/// <param name="IdleTransactions">Transactions while the node had no load (other targets ran), over <paramref name="IdleSeconds"/>.</param>
/// <param name="IdleSeconds">As long as one cell's counting window (load + settle time).</param>
/// <param name="SettleSeconds">How long after the load the closing reading of a cell is taken.</param>
/// <param name="OtherTables">Tables besides the authority's: the ledger's, once it is written to PostgreSQL.</param>
internal sealed record ClusterDatabaseInfo(string Database, long IdleTransactions, double IdleSeconds, double SettleSeconds, IReadOnlyList<string> OtherTables)
{
    public double IdlePerSecond => IdleTransactions / IdleSeconds;

    /// <summary>Whether ledger group commits share the transaction count with the authority.</summary>
    public bool LedgerInDatabase => OtherTables.Count > 0;
}
