using Microsoft.Extensions.Logging;

namespace Dispatcher.Silo.Authority;

internal sealed partial class PostgresProviderAuthority
{
    // Event ids 3100-3199: the PostgreSQL authority.
    private static partial class Log
    {
        [LoggerMessage(3100, LogLevel.Information,
            "Node {NodeId} joined the cluster at {Database} (authority schema {FromVersion} -> {ToVersion})")]
        public static partial void Joined(ILogger logger, string nodeId, string database, int fromVersion, int toVersion);

        [LoggerMessage(3101, LogLevel.Error,
            "Cannot join the cluster through PostgreSQL at {Database}: {Reason}. The node keeps trying; /readyz answers 503 until it has joined")]
        public static partial void CannotJoin(ILogger logger, string database, string reason);

        [LoggerMessage(3102, LogLevel.Warning,
            "Lost the cluster's PostgreSQL ({Reason}): serving on current leases, then on local limits (Rpm/Tpm divided by the live nodes), breakers decided locally")]
        public static partial void Degraded(ILogger logger, string reason);

        [LoggerMessage(3103, LogLevel.Information, "Reached the cluster's PostgreSQL again: the cluster's breakers and leases rule")]
        public static partial void Reconnected(ILogger logger);

        [LoggerMessage(3104, LogLevel.Information, "Breaker {Provider}/{Model} is now {State} (cluster version {Version})")]
        public static partial void BreakerChanged(ILogger logger, string provider, string model, string state, long version);

        [LoggerMessage(3105, LogLevel.Warning, "Breaker notifications interrupted ({Reason}); listening again")]
        public static partial void ListenFailed(ILogger logger, string reason);

        [LoggerMessage(3106, LogLevel.Warning, "Ignored a malformed breaker notification: {Reason}")]
        public static partial void BadNotification(ILogger logger, string reason);

        [LoggerMessage(3107, LogLevel.Information, "Node {NodeId} left the cluster and returned its unused leases")]
        public static partial void Left(ILogger logger, string nodeId);

        [LoggerMessage(3108, LogLevel.Warning, "Could not return this node's leases on stop ({Reason}); they expire after the lease TTL")]
        public static partial void LeaveFailed(ILogger logger, string reason);
    }
}
