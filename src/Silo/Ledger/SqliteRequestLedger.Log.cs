using Microsoft.Extensions.Logging;

namespace Dispatcher.Silo.Ledger;

internal sealed partial class SqliteRequestLedger
{
    // Event ids 3000-3099: the request ledger.
    private static partial class Log
    {
        [LoggerMessage(3000, LogLevel.Information,
            "Request ledger at {Path}: schema version {FromVersion} -> {ToVersion}, durability {Durability}")]
        public static partial void Started(ILogger logger, string path, int fromVersion, int toVersion, string durability);

        [LoggerMessage(3001, LogLevel.Error,
            "The request ledger could not store a batch of {Rows} rows (durability {Durability}); its callers were failed, or in Async mode the rows are lost")]
        public static partial void BatchFailed(ILogger logger, int rows, string durability, Exception exception);

        [LoggerMessage(3002, LogLevel.Information,
            "Request ledger retention deleted {Requests} requests and {SpendRows} spend rows older than {Cutoff:O}")]
        public static partial void RetentionDeleted(ILogger logger, int requests, int spendRows, DateTimeOffset cutoff);

        [LoggerMessage(3003, LogLevel.Warning,
            "Request ledger retention could not delete rows older than {Cutoff:O}; it tries again within the hour")]
        public static partial void RetentionFailed(ILogger logger, DateTimeOffset cutoff, Exception exception);
    }
}
