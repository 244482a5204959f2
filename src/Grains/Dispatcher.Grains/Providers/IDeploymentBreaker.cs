namespace Dispatcher.Grains.Providers;

/// <summary>
/// The circuit breaker of one deployment (provider + upstream model) as a node sees it. Embedded mode: the breaker
/// itself. A cluster authority implements it as a view that follows the cluster-wide row. Called only under the
/// owning <see cref="ProviderActor"/>'s lock.
/// </summary>
public interface IDeploymentBreaker
{
    /// <summary>Closed, open or half-open.</summary>
    BreakerState State { get; }

    /// <summary>When the current break ends; null when not open.</summary>
    DateTimeOffset? OpenUntil { get; }

    /// <summary>Outcomes in the current sampling window.</summary>
    (int Successes, int Failures) WindowCounts { get; }

    /// <summary>Whether a call may go now; half-open grants one probe.</summary>
    bool TryAcquire(out TimeSpan retryAfter);

    /// <summary>Records a success; true when the state changed.</summary>
    bool RecordSuccess();

    /// <summary>Records a failure; true when the state changed.</summary>
    bool RecordFailure();
}
