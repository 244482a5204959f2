using Microsoft.Extensions.Logging;

namespace Dispatcher.Grains.Dispatch;

public sealed partial class DispatchEngine
{
    [LoggerMessage(EventId = 1100, Level = LogLevel.Debug, Message = "Request {RequestId}: {Model} ({Provider}) failed with {Kind} (HTTP {Status}); next: {Action}")]
    private partial void LogAttemptFailed(string requestId, string model, string provider, string kind, int status, string action);

    [LoggerMessage(EventId = 1101, Level = LogLevel.Debug, Message = "Request {RequestId}: {Model} skipped ({Kind})")]
    private partial void LogSkipped(string requestId, string model, string kind);

    [LoggerMessage(EventId = 1102, Level = LogLevel.Warning, Message = "Breaker of {Provider}/{UpstreamModel} is now {State}")]
    private partial void LogBreakerChanged(string provider, string upstreamModel, string state);
}
