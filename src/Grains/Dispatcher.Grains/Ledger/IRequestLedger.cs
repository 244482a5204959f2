namespace Dispatcher.Grains.Ledger;

/// <summary>
/// The durable record of every request: its decision trail and its spend. With <c>Ledger:Durability=Acknowledged</c>
/// (default) <see cref="RecordAsync"/> completes once the store has accepted the row (group commit), and the front
/// finishes the response only then; with <c>Async</c> it completes once the row is buffered.
/// </summary>
public interface IRequestLedger
{
    /// <summary>Records <paramref name="record"/>.</summary>
    ValueTask RecordAsync(RequestRecord record, CancellationToken cancellationToken);

    /// <summary>The record of <paramref name="requestId"/>, or null.</summary>
    Task<RequestRecord?> FindAsync(string requestId, CancellationToken cancellationToken);
}
