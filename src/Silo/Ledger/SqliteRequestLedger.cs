using Dispatcher.Grains.Ledger;
using Microsoft.Extensions.Logging;

namespace Dispatcher.Silo.Ledger;

/// <summary>
/// The Embedded mode's ledger: <see cref="GroupCommitLedger"/> on one SQLite file (<see cref="SqliteLedgerStore"/>).
/// A failed batch is logged and its Acknowledged callers get an <see cref="IOException"/>; the loop goes on.
/// </summary>
internal sealed class SqliteRequestLedger : GroupCommitLedger
{
    public SqliteRequestLedger(string databasePath, LedgerOptions options, TimeProvider time, ILogger<SqliteRequestLedger> logger)
        : base(new SqliteLedgerStore(databasePath), options, time, logger)
    {
    }
}
