using Microsoft.Extensions.Logging;

namespace Dispatcher.Grains.Dispatch;

// Conversations and hedging (event ids 1110-1119). Session ids are never logged: the request id leads to the trail.
public sealed partial class DispatchEngine
{
    [LoggerMessage(EventId = 1110, Level = LogLevel.Information, Message = "Request {RequestId}: conversation repinned {Move}")]
    private partial void LogRepinned(string requestId, string move);

    [LoggerMessage(EventId = 1111, Level = LogLevel.Debug, Message = "Request {RequestId}: {Hedge} started alongside {Model} after {ThresholdMs} ms")]
    private partial void LogHedgeStarted(string requestId, string hedge, string model, double thresholdMs);
}
