using Microsoft.Extensions.Logging;

namespace Dispatcher.Silo.Ledger;

internal partial class GroupCommitLedger
{
    // Event ids 3000-3099: the request ledger.
    private static partial class Log
    {
        [LoggerMessage(3000, LogLevel.Information,
            "Request ledger on {Store}: schema version {FromVersion} -> {ToVersion}, durability {Durability}")]
        public static partial void Started(ILogger logger, string store, int fromVersion, int toVersion, string durability);

        [LoggerMessage(3001, LogLevel.Error,
            "The request ledger could not store a batch of {Rows} rows (durability {Durability}); its callers were failed, or in Async mode the rows are lost")]
        public static partial void BatchFailed(ILogger logger, int rows, string durability, Exception exception);

        [LoggerMessage(3002, LogLevel.Information,
            "Request ledger retention deleted {Requests} requests and {SpendRows} spend rows older than {Cutoff:O}")]
        public static partial void RetentionDeleted(ILogger logger, int requests, int spendRows, DateTimeOffset cutoff);

        [LoggerMessage(3003, LogLevel.Warning,
            "Request ledger retention could not delete rows older than {Cutoff:O}; it tries again within the hour")]
        public static partial void RetentionFailed(ILogger logger, DateTimeOffset cutoff, Exception exception);

        [LoggerMessage(3004, LogLevel.Warning,
            "The request ledger cannot reach {Store}: a batch of {Rows} rows is kept in memory and retried with backoff until it answers")]
        public static partial void StoreUnavailable(ILogger logger, string store, int rows, Exception exception);

        [LoggerMessage(3005, LogLevel.Information,
            "The request ledger reached {Store} again after {Seconds:0.0} s and {Retries} retries; the held batch of {Rows} rows is stored")]
        public static partial void StoreRecovered(ILogger logger, string store, double seconds, int retries, int rows);

        [LoggerMessage(3006, LogLevel.Error,
            "The request ledger stopped while {Store} was unreachable: a batch of {Rows} rows was not stored")]
        public static partial void RowsAbandoned(ILogger logger, string store, int rows, Exception exception);

        [LoggerMessage(3007, LogLevel.Warning,
            "The request ledger cannot reach {Store} at start ({Reason}); it keeps rows in memory and migrates the schema once the database answers")]
        public static partial void StoreUnavailableAtStart(ILogger logger, string store, string reason);
    }
}
