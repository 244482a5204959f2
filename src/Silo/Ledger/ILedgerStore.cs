using Dispatcher.Grains.Ledger;

namespace Dispatcher.Silo.Ledger;

/// <summary>
/// Where <see cref="GroupCommitLedger"/> keeps its rows (SQLite file, PostgreSQL database). The write methods are
/// called only by the ledger's one writer loop, never concurrently; <see cref="FindAsync"/> may run at any time.
/// </summary>
internal interface ILedgerStore : IAsyncDisposable
{
    /// <summary>Names the store in log lines (a path, or host, port and database; never a password).</summary>
    string Description { get; }

    /// <summary>Creates or migrates the tables; returns the schema versions before and after.</summary>
    Task<(int From, int To)> MigrateAsync(CancellationToken cancellationToken);

    /// <summary>Stores <paramref name="rows"/> atomically, in one transaction; rows already stored are left as they are.</summary>
    Task WriteBatchAsync(IReadOnlyList<RequestRecord> rows, CancellationToken cancellationToken);

    /// <summary>Deletes requests and spend rows older than <paramref name="cutoff"/>; returns how many of each.</summary>
    Task<(int Requests, int Spend)> DeleteOlderThanAsync(DateTimeOffset cutoff, CancellationToken cancellationToken);

    /// <summary>The record of <paramref name="requestId"/>, or null.</summary>
    Task<RequestRecord?> FindAsync(string requestId, CancellationToken cancellationToken);

    /// <summary>
    /// True when <paramref name="exception"/> says the store is unreachable for now (connection refused or lost,
    /// server restarting): the batch is kept and tried again. Any other failure fails the batch's callers at once.
    /// </summary>
    bool IsTransient(Exception exception);
}
