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
    private TimeSpan _idleTimeout;
    private int _expired;

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
    public void StartIdleTimeout(TimeSpan idle)
    {
        _idleTimeout = idle;
        _idle = _time.CreateTimer(static state => ((AttemptWatchdog)state!).Expire(FailureKind.StreamStalled), this, idle, Timeout.InfiniteTimeSpan);
    }

    /// <summary>A chunk arrived: restart the idle timeout.</summary>
    public void Kick() => _idle?.Change(_idleTimeout, Timeout.InfiniteTimeSpan);

    /// <summary>Ends the attempt now (a hedge lost, the caller gave up).</summary>
    public void Cancel() => _cancellation.Cancel();

    public void Dispose()
    {
        _total.Dispose();
        _idle?.Dispose();
        _cancellation.Dispose();
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
