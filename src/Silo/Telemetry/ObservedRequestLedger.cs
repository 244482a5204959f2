using Dispatcher.Grains.Ledger;
using Dispatcher.Grains.Telemetry;

namespace Dispatcher.Silo.Telemetry;

/// <summary>
/// Wraps the node's ledger: every finished request passes here exactly once (its row), so this is where the request
/// span gets its outcome, the request metrics are counted and the dashboard's recent requests are kept.
/// </summary>
internal sealed class ObservedRequestLedger : IRequestLedger
{
    private readonly IRequestLedger _inner;
    private readonly RecentRequests _recent;
    private readonly TimeProvider _time;

    public ObservedRequestLedger(IRequestLedger inner, RecentRequests recent, TimeProvider time)
    {
        _inner = inner;
        _recent = recent;
        _time = time;
    }

    public ValueTask RecordAsync(RequestRecord record, CancellationToken cancellationToken)
    {
        RequestSpans.Finish(record);
        DispatcherMetrics.RecordRequest(record, _time.GetUtcNow() - record.At);
        _recent.Add(record);
        return _inner.RecordAsync(record, cancellationToken);
    }

    public Task<RequestRecord?> FindAsync(string requestId, CancellationToken cancellationToken) => _inner.FindAsync(requestId, cancellationToken);
}
