namespace Dispatcher.Silo.Ledger;

internal partial class GroupCommitLedger
{
    /// <summary>
    /// What an Acknowledged caller waits for: its batch's commit, or an <see cref="IOException"/> once
    /// <see cref="MaxAcknowledgeWait"/> has passed. A timed-out row stays queued and is still written later.
    /// </summary>
    private sealed class Acknowledgement : TaskCompletionSource, IDisposable
    {
        private readonly string _requestId;
        private readonly string _store;
        private readonly ITimer _deadline;

        public Acknowledgement(string requestId, string store, TimeProvider time)
            : base(TaskCreationOptions.RunContinuationsAsynchronously)
        {
            _requestId = requestId;
            _store = store;
            _deadline = time.CreateTimer(static state => ((Acknowledgement)state!).OnDeadline(), this,
                MaxAcknowledgeWait, Timeout.InfiniteTimeSpan);
        }

        public void Commit()
        {
            _deadline.Dispose();
            TrySetResult();
        }

        public void Fail(Exception exception)
        {
            _deadline.Dispose();
            TrySetException(exception);
        }

        public void Dispose() => _deadline.Dispose();

        private void OnDeadline() => TrySetException(new IOException(
            $"The request ledger did not store request '{_requestId}' within {MaxAcknowledgeWait.TotalSeconds:0} s: " +
            $"{_store} is unreachable or too slow. The row stays queued and is written when the store answers again."));
    }
}
