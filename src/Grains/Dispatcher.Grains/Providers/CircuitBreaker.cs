namespace Dispatcher.Grains.Providers;

/// <summary>
/// The circuit breaker of one deployment (provider + upstream model): counts outcomes in a rolling window of
/// <see cref="BreakerOptions.SamplingDuration"/>, opens when the failure ratio is reached, and after
/// <see cref="BreakerOptions.BreakDuration"/> lets a single probe call decide whether it closes again.
/// </summary>
/// <remarks>
/// Not thread-safe: its owner (the provider's actor) serializes every call. Nothing here allocates per call; the window
/// is a ring of ten buckets of a tenth of the sampling duration each, so an outcome slides out between 0.9 and 1.0
/// sampling durations after it was recorded.
/// </remarks>
public sealed class CircuitBreaker : IDeploymentBreaker
{
    private const int BucketCount = 10;

    // A caller refused while the probe is out should come back soon: the probe usually answers well before its grace ends.
    private static readonly TimeSpan ProbeRetryAfter = TimeSpan.FromSeconds(1);

    private readonly double _failureRatio;
    private readonly int _minimumThroughput;
    private readonly TimeSpan _breakDuration;
    private readonly long _bucketTicks;
    private readonly TimeProvider _time;
    private readonly Bucket[] _buckets = new Bucket[BucketCount];

    private BreakerState _state = BreakerState.Closed;
    private DateTimeOffset _openUntil;
    private DateTimeOffset? _probeGrantedAt;

    /// <summary>Creates a closed breaker.</summary>
    /// <param name="options">The thresholds; read once, later changes to the instance are not seen.</param>
    /// <param name="time">The clock for the window, the break and the probe grace.</param>
    public CircuitBreaker(BreakerOptions options, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(options.SamplingDuration, TimeSpan.Zero, nameof(options));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(options.BreakDuration, TimeSpan.Zero, nameof(options));
        _failureRatio = options.FailureRatio;
        _minimumThroughput = options.MinimumThroughput;
        _breakDuration = options.BreakDuration;
        _bucketTicks = Math.Max(1, options.SamplingDuration.Ticks / BucketCount);
        _time = time;
    }

    /// <summary>The current state; an open breaker whose break has ended reads (and becomes) half-open.</summary>
    public BreakerState State
    {
        get
        {
            if (_state == BreakerState.Open && _time.GetUtcNow() >= _openUntil)
            {
                _state = BreakerState.HalfOpen;
                _probeGrantedAt = null;
            }

            return _state;
        }
    }

    /// <summary>When the current break ends, or <see langword="null"/> when the breaker is not open.</summary>
    public DateTimeOffset? OpenUntil => State == BreakerState.Open ? _openUntil : null;

    /// <summary>The successes and failures counted in the rolling window now.</summary>
    public (int Successes, int Failures) WindowCounts
    {
        get
        {
            var current = CurrentBucketId();
            int successes = 0, failures = 0;
            foreach (ref readonly var bucket in _buckets.AsSpan())
            {
                if (bucket.Id > current - BucketCount && bucket.Id <= current)
                {
                    successes += bucket.Successes;
                    failures += bucket.Failures;
                }
            }

            return (successes, failures);
        }
    }

    /// <summary>Asks for permission to call the deployment.</summary>
    /// <param name="retryAfter">When refused, how long until asking again makes sense; otherwise zero.</param>
    /// <returns>
    /// Closed: <see langword="true"/>. Open: <see langword="false"/>, with the time left in the break. Half-open:
    /// <see langword="true"/> for the one probe call, <see langword="false"/> (retry after at most a second) for the
    /// others while it is out. A probe without an outcome after <see cref="BreakerOptions.BreakDuration"/> is taken as
    /// lost and the next caller gets a new one.
    /// </returns>
    public bool TryAcquire(out TimeSpan retryAfter)
    {
        var now = _time.GetUtcNow();
        switch (State)
        {
            case BreakerState.Open:
                retryAfter = _openUntil - now;
                return false;
            case BreakerState.HalfOpen when _probeGrantedAt is { } grantedAt && now - grantedAt < _breakDuration:
                var graceLeft = grantedAt + _breakDuration - now;
                retryAfter = graceLeft < ProbeRetryAfter ? graceLeft : ProbeRetryAfter;
                return false;
            case BreakerState.HalfOpen:
                _probeGrantedAt = now;
                retryAfter = TimeSpan.Zero;
                return true;
            default:
                retryAfter = TimeSpan.Zero;
                return true;
        }
    }

    /// <summary>Records a successful call. In half-open, closes the breaker and empties the window.</summary>
    /// <returns><see langword="true"/> when the state changed (the owner logs and broadcasts it).</returns>
    public bool RecordSuccess()
    {
        if (State == BreakerState.HalfOpen)
        {
            Array.Clear(_buckets);
            _state = BreakerState.Closed;
            _probeGrantedAt = null;
            return true;
        }

        Count(success: true);
        return false;
    }

    /// <summary>
    /// Records a failed call. Closed: opens the breaker for <see cref="BreakerOptions.BreakDuration"/> when the window
    /// holds at least <see cref="BreakerOptions.MinimumThroughput"/> outcomes and the failure ratio is reached.
    /// Half-open: opens it for another break. Open: counted only; the current break is never shortened nor extended.
    /// </summary>
    /// <returns><see langword="true"/> when the state changed (the owner logs and broadcasts it).</returns>
    public bool RecordFailure()
    {
        var state = State;
        Count(success: false);
        if (state == BreakerState.Closed)
        {
            var (successes, failures) = WindowCounts;
            var total = successes + failures;
            if (total < _minimumThroughput || (double)failures / total < _failureRatio)
            {
                return false;
            }
        }
        else if (state == BreakerState.Open)
        {
            return false;
        }

        Open();
        return true;
    }

    private void Open()
    {
        var until = _time.GetUtcNow() + _breakDuration;
        _openUntil = until > _openUntil ? until : _openUntil;
        _state = BreakerState.Open;
        _probeGrantedAt = null;
    }

    private void Count(bool success)
    {
        var id = CurrentBucketId();
        ref var bucket = ref _buckets[(int)(id % BucketCount)];
        if (bucket.Id != id)
        {
            bucket = new Bucket { Id = id };
        }

        if (success)
        {
            bucket.Successes++;
        }
        else
        {
            bucket.Failures++;
        }
    }

    private long CurrentBucketId() => _time.GetUtcNow().UtcTicks / _bucketTicks;

    private struct Bucket
    {
        public long Id;
        public int Successes;
        public int Failures;
    }
}
