using System.Runtime.CompilerServices;

namespace Dispatcher.TestSupport;

/// <summary>
/// A <see cref="TimeProvider"/> whose clock moves only when a test moves it with <see cref="Advance"/> or
/// <see cref="SetUtcNow"/>; moving it fires the timers that fall due, in due-time order.
/// </summary>
/// <remarks>
/// Works with <c>Task.Delay(delay, timeProvider)</c>, <c>new CancellationTokenSource(delay, timeProvider)</c> and
/// Polly, which all schedule through <see cref="CreateTimer"/>. Thread-safe: timer callbacks run on the thread that
/// moves the clock, outside the internal lock, so a callback may create, change or dispose timers. A timer scheduled
/// with a zero due time fires at once, on the thread that scheduled it.
/// </remarks>
public sealed class ManualTimeProvider : TimeProvider
{
    private readonly Lock _gate = new();
    private readonly List<ManualTimer> _scheduled = [];
    private readonly List<(TimeSpan DueTime, TaskCompletionSource Signal)> _timerWaiters = [];
    private DateTimeOffset _now;
    private long _nextSequence;

    /// <summary>Creates a clock that reads <paramref name="start"/> until it is moved.</summary>
    /// <param name="start">The initial time; default 2026-01-01T00:00:00Z.</param>
    public ManualTimeProvider(DateTimeOffset? start = null)
    {
        _now = (start ?? new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero)).ToUniversalTime();
    }

    /// <summary>Timestamps count <see cref="TimeSpan"/> ticks of the manual clock.</summary>
    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    /// <summary>UTC, so that tests never depend on the machine's time zone.</summary>
    public override TimeZoneInfo LocalTimeZone => TimeZoneInfo.Utc;

    /// <inheritdoc />
    public override DateTimeOffset GetUtcNow()
    {
        lock (_gate)
        {
            return _now;
        }
    }

    /// <inheritdoc />
    public override long GetTimestamp() => GetUtcNow().UtcTicks;

    /// <summary>Moves the clock forward by <paramref name="delta"/>, firing every timer that falls due on the way.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="delta"/> is negative.</exception>
    public void Advance(TimeSpan delta)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(delta, TimeSpan.Zero);
        DateTimeOffset target;
        lock (_gate)
        {
            target = _now + delta;
        }

        RunUntil(target);
    }

    /// <summary>Moves the clock forward to <paramref name="value"/>, firing every timer that falls due on the way.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="value"/> is earlier than the current time.</exception>
    public void SetUtcNow(DateTimeOffset value)
    {
        lock (_gate)
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, _now);
        }

        RunUntil(value.ToUniversalTime());
    }

    /// <summary>
    /// Completes once a timer is scheduled (or already waits) to fire <paramref name="dueTime"/> after the current
    /// time: lets a test advance the clock exactly when the code under test has started waiting.
    /// </summary>
    public Task WaitForTimerAsync(TimeSpan dueTime, CancellationToken cancellationToken)
    {
        var signal = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_gate)
        {
            if (_scheduled.Exists(timer => timer.DueAt - _now == dueTime))
            {
                return Task.CompletedTask;
            }

            _timerWaiters.Add((dueTime, signal));
        }

        return signal.Task.WaitAsync(cancellationToken);
    }

    /// <inheritdoc />
    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        ArgumentNullException.ThrowIfNull(callback);
        var timer = new ManualTimer(this, callback, state);
        timer.Change(dueTime, period);
        return timer;
    }

    private bool Change(ManualTimer timer, TimeSpan dueTime, TimeSpan period)
    {
        ThrowIfInvalidInterval(dueTime);
        ThrowIfInvalidInterval(period);
        DateTimeOffset now;
        List<TaskCompletionSource>? woken = null;
        lock (_gate)
        {
            if (timer.Disposed)
            {
                return false;
            }

            _scheduled.Remove(timer);
            if (dueTime == Timeout.InfiniteTimeSpan)
            {
                return true;
            }

            // As with System.Threading.Timer, a zero period means "fire once".
            timer.DueAt = _now + dueTime;
            timer.Period = period == TimeSpan.Zero ? Timeout.InfiniteTimeSpan : period;
            timer.Sequence = _nextSequence++;
            _scheduled.Add(timer);
            now = _now;
            for (var i = _timerWaiters.Count - 1; i >= 0; i--)
            {
                if (_timerWaiters[i].DueTime == dueTime)
                {
                    woken ??= [];
                    woken.Add(_timerWaiters[i].Signal);
                    _timerWaiters.RemoveAt(i);
                }
            }
        }

        woken?.ForEach(static signal => signal.TrySetResult());

        if (dueTime == TimeSpan.Zero)
        {
            RunUntil(now);
        }

        return true;
    }

    private void Dispose(ManualTimer timer)
    {
        lock (_gate)
        {
            timer.Disposed = true;
            _scheduled.Remove(timer);
        }
    }

    private void RunUntil(DateTimeOffset target)
    {
        while (true)
        {
            ManualTimer? due = null;
            lock (_gate)
            {
                foreach (var timer in _scheduled)
                {
                    if (timer.DueAt <= target
                        && (due is null || (timer.DueAt, timer.Sequence).CompareTo((due.DueAt, due.Sequence)) < 0))
                    {
                        due = timer;
                    }
                }

                if (due is null)
                {
                    _now = target > _now ? target : _now;
                    return;
                }

                // Callbacks see the time they were due at; the timer is claimed (rescheduled or removed) before
                // the lock is released so that a concurrent or nested run never fires it twice for one due time.
                _now = due.DueAt > _now ? due.DueAt : _now;
                if (due.Period == Timeout.InfiniteTimeSpan)
                {
                    _scheduled.Remove(due);
                }
                else
                {
                    due.DueAt += due.Period;
                }
            }

            due.Fire();
        }
    }

    private static void ThrowIfInvalidInterval(TimeSpan value, [CallerArgumentExpression(nameof(value))] string? name = null)
    {
        if (value < TimeSpan.Zero && value != Timeout.InfiniteTimeSpan)
        {
            throw new ArgumentOutOfRangeException(name, value, "Must be zero or positive, or Timeout.InfiniteTimeSpan.");
        }
    }

    private sealed class ManualTimer(ManualTimeProvider owner, TimerCallback callback, object? state) : ITimer
    {
        // Like the system timers, run the callback in the context of whoever created the timer, unless suppressed.
        private readonly ExecutionContext? _context = ExecutionContext.Capture();

        // Guarded by the owner's lock.
        public DateTimeOffset DueAt { get; set; }

        public TimeSpan Period { get; set; }

        public long Sequence { get; set; }

        public bool Disposed { get; set; }

        public bool Change(TimeSpan dueTime, TimeSpan period) => owner.Change(this, dueTime, period);

        public void Dispose() => owner.Dispose(this);

        public ValueTask DisposeAsync()
        {
            Dispose();
            return ValueTask.CompletedTask;
        }

        public void Fire()
        {
            if (_context is null)
            {
                Invoke();
            }
            else
            {
                ExecutionContext.Run(_context, static self => ((ManualTimer)self!).Invoke(), this);
            }
        }

        private void Invoke() => callback(state);
    }
}
