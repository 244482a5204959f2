using Dispatcher.Grains.Ledger;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Dispatcher.Silo.Ledger;

/// <summary>
/// The cluster mode's ledger: <see cref="GroupCommitLedger"/> on the cluster's PostgreSQL
/// (<see cref="PostgresLedgerStore"/>). While the database is unreachable the rows stay in memory (at most
/// <see cref="GroupCommitLedger.QueueCapacity"/> queued plus one batch) and the batch is retried with backoff;
/// Acknowledged callers get an <see cref="IOException"/> after <see cref="GroupCommitLedger.MaxAcknowledgeWait"/>.
/// </summary>
internal sealed class PostgresRequestLedger : GroupCommitLedger
{
    // The data source is the cluster's, shared with the authority: the ledger does not dispose it.
    public PostgresRequestLedger(NpgsqlDataSource dataSource, LedgerOptions options, TimeProvider time, ILogger<PostgresRequestLedger> logger)
        : base(new PostgresLedgerStore(dataSource), options, time, logger)
    {
    }
}
