using Dispatcher.Grains.Providers;

namespace Dispatcher.Silo.Authority;

/// <summary>
/// A deployment's breaker on one node of a PostgreSQL cluster: follows the cluster-wide row (kept current by
/// NOTIFY, by the answers to outcome reports and by a periodic resync) and counts this node's outcomes for the next
/// batched report. The authority alone trips and closes it, on the cluster-wide window. While the database is
/// unreachable a local <see cref="CircuitBreaker"/>, fed the same outcomes all along, decides instead.
/// </summary>
/// <remarks>
/// Half-open (the row is open and its break has ended): each node lets one probe through; the first probe outcome
/// the authority hears decides for everyone. The node that saw its probe succeed (or fail) acts on it at once,
/// without waiting for the notification.
/// </remarks>
internal sealed class ClusterBreaker : IDeploymentBreaker
{
    private static readonly TimeSpan ProbeRetryAfter = TimeSpan.FromSeconds(1);

    private readonly PostgresProviderAuthority _authority;
    private readonly CircuitBreaker _local;
    private readonly TimeProvider _time;
    private readonly Lock _gate = new();
    private BreakerRow _row = BreakerRow.Closed;
    private DateTimeOffset? _probeGrantedAt;
    private int _pendingSuccesses;
    private int _pendingFailures;

    public ClusterBreaker(PostgresProviderAuthority authority, string provider, string model, BreakerOptions options, TimeProvider time)
    {
        _authority = authority;
        Provider = provider;
        Model = model;
        Options = options;
        _time = time;
        _local = new CircuitBreaker(options, time);
    }

    public string Provider { get; }

    public string Model { get; }

    public BreakerOptions Options { get; }

    /// <summary>The cluster row as this node last heard it.</summary>
    public BreakerRow Row
    {
        get
        {
            lock (_gate)
            {
                return _row;
            }
        }
    }

    public BreakerState State
    {
        get
        {
            if (_authority.IsDegraded)
            {
                return _local.State;
            }

            lock (_gate)
            {
                return StateOf(_row, _time.GetUtcNow());
            }
        }
    }

    public DateTimeOffset? OpenUntil => _authority.IsDegraded ? _local.OpenUntil : State == BreakerState.Open ? Row.OpenUntil : null;

    public (int Successes, int Failures) WindowCounts
    {
        get
        {
            if (_authority.IsDegraded)
            {
                return _local.WindowCounts;
            }

            lock (_gate)
            {
                return (_row.Successes + _pendingSuccesses, _row.Failures + _pendingFailures);
            }
        }
    }

    public bool TryAcquire(out TimeSpan retryAfter)
    {
        if (_authority.IsDegraded)
        {
            return _local.TryAcquire(out retryAfter);
        }

        lock (_gate)
        {
            var now = _time.GetUtcNow();
            switch (StateOf(_row, now))
            {
                case BreakerState.Open:
                    retryAfter = _row.OpenUntil!.Value - now;
                    return false;
                case BreakerState.HalfOpen when _probeGrantedAt is { } grantedAt && now - grantedAt < Options.BreakDuration:
                    var graceLeft = grantedAt + Options.BreakDuration - now;
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
    }

    public bool RecordSuccess()
    {
        var localChanged = _local.RecordSuccess();
        lock (_gate)
        {
            _pendingSuccesses++;
            if (StateOf(_row, _time.GetUtcNow()) == BreakerState.HalfOpen && _probeGrantedAt is not null)
            {
                // Our probe worked: close here now; the authority closes the row for everyone with the report.
                _row = _row with { State = BreakerState.Closed, OpenUntil = null };
                _probeGrantedAt = null;
            }
        }

        _authority.WakeReport();
        return _authority.IsDegraded && localChanged;
    }

    public bool RecordFailure()
    {
        var localChanged = _local.RecordFailure();
        lock (_gate)
        {
            _pendingFailures++;
            if (StateOf(_row, _time.GetUtcNow()) == BreakerState.HalfOpen && _probeGrantedAt is not null)
            {
                _row = _row with { OpenUntil = _time.GetUtcNow() + Options.BreakDuration };
                _probeGrantedAt = null;
            }
        }

        _authority.WakeReport();
        return _authority.IsDegraded && localChanged;
    }

    /// <summary>Takes the outcomes counted since the last report.</summary>
    public (int Successes, int Failures) TakePending()
    {
        lock (_gate)
        {
            var pending = (_pendingSuccesses, _pendingFailures);
            _pendingSuccesses = 0;
            _pendingFailures = 0;
            return pending;
        }
    }

    /// <summary>Gives back outcomes whose report failed, so that the next one carries them.</summary>
    public void ReturnPending(int successes, int failures)
    {
        lock (_gate)
        {
            _pendingSuccesses += successes;
            _pendingFailures += failures;
        }
    }

    /// <summary>Applies the cluster row (already on this node's clock) unless it is older than the one held.</summary>
    /// <returns>True when the state this node acts on changed.</returns>
    public bool Apply(BreakerRow row)
    {
        lock (_gate)
        {
            if (row.Version < _row.Version)
            {
                return false;
            }

            var now = _time.GetUtcNow();
            var before = StateOf(_row, now);
            var versionChanged = row.Version != _row.Version;
            _row = versionChanged || row.State == BreakerState.Closed == (_row.State == BreakerState.Closed)
                ? row
                : _row with { Successes = row.Successes, Failures = row.Failures };
            if (versionChanged)
            {
                _probeGrantedAt = null;
            }

            return StateOf(_row, now) != before;
        }
    }

    private static BreakerState StateOf(BreakerRow row, DateTimeOffset now) => row.State switch
    {
        BreakerState.Open when now < row.OpenUntil => BreakerState.Open,
        BreakerState.Open or BreakerState.HalfOpen => BreakerState.HalfOpen,
        _ => BreakerState.Closed,
    };
}

/// <summary>A deployment's row in <c>dispatcher_breakers</c>, on this node's clock, with the cluster-wide window.</summary>
internal sealed record BreakerRow(BreakerState State, DateTimeOffset? OpenUntil, long Version, int Successes, int Failures)
{
    public static readonly BreakerRow Closed = new(BreakerState.Closed, null, 0, 0, 0);
}
