namespace Dispatcher.Grains.Providers;

/// <summary>The state of a deployment's circuit breaker (Polly's names).</summary>
public enum BreakerState
{
    /// <summary>Calls flow; outcomes are counted in the sampling window.</summary>
    Closed,

    /// <summary>Calls are refused until the break ends.</summary>
    Open,

    /// <summary>The break has ended: one probe call is let through to decide between Closed and Open.</summary>
    HalfOpen,
}
