using Dispatcher.Grains.Providers;

namespace Dispatcher.Grains.Routing;

/// <summary>
/// What this node has seen of one deployment's health, for the decisions that need more than its breaker: how long
/// since it last failed (a pin returns to the primary only after it has been healthy for a while) and its recent
/// times to first token (hedging at the observed p95).
/// </summary>
public sealed class DeploymentHealth
{
    private const int Samples = 128;
    private const int MinimumSamples = 16;

    private readonly TimeProvider _time;
    private readonly Lock _gate = new();
    private readonly double[] _firstTokenMs = new double[Samples];
    private long _lastFailure;
    private int _count;
    private int _next;

    /// <summary>Creates the record; until a failure is seen the deployment counts as healthy since now.</summary>
    public DeploymentHealth(TimeProvider time)
    {
        _time = time;
        _lastFailure = time.GetTimestamp();
    }

    /// <summary>An attempt on the deployment failed (any kind the deployment is to blame for).</summary>
    public void RecordFailure() => Volatile.Write(ref _lastFailure, _time.GetTimestamp());

    /// <summary>True when the breaker is closed and no failure was seen for at least <paramref name="period"/>.</summary>
    public bool HealthyFor(TimeSpan period, IDeploymentBreaker breaker)
    {
        ArgumentNullException.ThrowIfNull(breaker);
        return breaker.State == BreakerState.Closed && _time.GetElapsedTime(Volatile.Read(ref _lastFailure)) >= period;
    }

    /// <summary>A stream reached its commit point after <paramref name="elapsed"/>.</summary>
    public void RecordFirstToken(TimeSpan elapsed)
    {
        lock (_gate)
        {
            _firstTokenMs[_next] = elapsed.TotalMilliseconds;
            _next = (_next + 1) % Samples;
            _count = Math.Min(_count + 1, Samples);
        }
    }

    /// <summary>The p95 of the last 128 times to first token; null until 16 were seen.</summary>
    public TimeSpan? FirstTokenP95()
    {
        Span<double> sorted = stackalloc double[Samples];
        int count;
        lock (_gate)
        {
            count = _count;
            _firstTokenMs.AsSpan(0, count).CopyTo(sorted);
        }

        if (count < MinimumSamples)
        {
            return null;
        }

        sorted = sorted[..count];
        sorted.Sort();
        var index = (int)Math.Ceiling(0.95 * count) - 1;
        return TimeSpan.FromMilliseconds(sorted[Math.Clamp(index, 0, count - 1)]);
    }
}
