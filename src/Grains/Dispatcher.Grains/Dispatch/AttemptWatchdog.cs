using Dispatcher.Providers;

namespace Dispatcher.Grains.Dispatch;

/// <summary>
/// Owns the cancellation of one streaming attempt after its start: the client's disconnect, the attempt's total
/// timeout, and the idle timeout between chunks, all on the injected clock. The first to fire names the failure kind.
/// </summary>
internal sealed class AttemptWatchdog : IDisposable
{
    private readonly CancellationTokenSource _cancellation;
    private readonly TimeProvider _time;
    private readonly ITimer _total;
    private ITimer? _idle;
    private ITimer? _throughput;
    private TimeSpan _idleTimeout;
    private long _lastChunkAt;
    private int _expired;
    private int _chunksInWindow;
    private int _minimumChunksPerWindow;

    public AttemptWatchdog(TimeProvider time, TimeSpan total, CancellationToken clientGone)
    {
        _time = time;
        _cancellation = CancellationTokenSource.CreateLinkedTokenSource(clientGone);
        _total = time.CreateTimer(static state => ((AttemptWatchdog)state!).Expire(FailureKind.Timeout), this, total, Timeout.InfiniteTimeSpan);
    }

    /// <summary>Cancelled when the client goes or a timeout fires.</summary>
    public CancellationToken Token => _cancellation.Token;

    /// <summary>The timeout that fired, or <see cref="FailureKind.None"/>.</summary>
    public FailureKind Expired => (FailureKind)Volatile.Read(ref _expired);

    /// <summary>From now on, a silence longer than <paramref name="idle"/> between chunks ends the attempt.</summary>
    /// <remarks>
    /// A chunk only notes its time (<see cref="Kick"/>); the timer, when due, re-arms itself for what is left of the
    /// silence since the last chunk. Re-arming on every chunk instead took the timer queue's lock once per chunk of
    /// every stream on the node (the largest lock in the streaming profile).
    /// </remarks>
    public void StartIdleTimeout(TimeSpan idle)
    {
        _idleTimeout = idle;
        Volatile.Write(ref _lastChunkAt, _time.GetTimestamp());
        _idle = _time.CreateTimer(static state => ((AttemptWatchdog)state!).OnIdleDue(), this, idle, Timeout.InfiniteTimeSpan);
    }

    /// <summary>True when the throughput guard, not the idle timeout, found the stream stalled.</summary>
    public bool TooSlow { get; private set; }

    /// <summary>
    /// From now on, fewer than <paramref name="minTokensPerSecond"/> × <paramref name="window"/> content deltas in any
    /// window ends the attempt as <see cref="FailureKind.StreamStalled"/>: a stream that trickles is as useless as one
    /// that stopped, and the idle timeout alone does not see it.
    /// </summary>
    public void StartThroughputGuard(double minTokensPerSecond, TimeSpan window)
    {
        _minimumChunksPerWindow = Math.Max(1, (int)Math.Ceiling(minTokensPerSecond * window.TotalSeconds));
        _throughput?.Dispose();
        _throughput = _time.CreateTimer(static state => ((AttemptWatchdog)state!).CheckThroughput(), this, window, window);
    }

    /// <summary>A chunk arrived: restart the idle timeout and count it for the throughput guard.</summary>
    public void Kick()
    {
        Volatile.Write(ref _lastChunkAt, _time.GetTimestamp());
        Interlocked.Increment(ref _chunksInWindow);
    }

    /// <summary>Ends the attempt now (a hedge lost, the caller gave up).</summary>
    public void Cancel() => _cancellation.Cancel();

    public void Dispose()
    {
        _total.Dispose();
        _idle?.Dispose();
        _throughput?.Dispose();
        _cancellation.Dispose();
    }

    private void OnIdleDue()
    {
        var silence = _time.GetElapsedTime(Volatile.Read(ref _lastChunkAt));
        if (silence >= _idleTimeout)
        {
            Expire(FailureKind.StreamStalled);
            return;
        }

        try
        {
            _idle?.Change(_idleTimeout - silence, Timeout.InfiniteTimeSpan);
        }
        catch (ObjectDisposedException)
        {
            // The attempt ended as the timer fired.
        }
    }

    private void CheckThroughput()
    {
        if (Interlocked.Exchange(ref _chunksInWindow, 0) < _minimumChunksPerWindow)
        {
            TooSlow = true;
            Expire(FailureKind.StreamStalled);
        }
    }

    private void Expire(FailureKind kind)
    {
        if (Interlocked.CompareExchange(ref _expired, (int)kind, 0) == 0)
        {
            try
            {
                _cancellation.Cancel();
            }
            catch (ObjectDisposedException)
            {
                // The attempt ended as the timer fired.
            }
        }
    }
}
