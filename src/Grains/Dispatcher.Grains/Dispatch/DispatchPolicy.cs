using Dispatcher.Providers;

namespace Dispatcher.Grains.Dispatch;

/// <summary>
/// The one table that maps a failure kind to what happens next. The engine then applies the bounds (retries left,
/// other keys, Retry-After within <c>Retry:MaxRetryAfter</c>, attempts per request) and degrades an action it cannot
/// take to <see cref="DispatchAction.NextCandidate"/>.
/// </summary>
public static class DispatchPolicy
{
    /// <summary>The action for <paramref name="kind"/>; content filters fall back only when the route opts in.</summary>
    public static DispatchAction Decide(FailureKind kind, bool contentFilterFallback) => kind switch
    {
        FailureKind.None => DispatchAction.Served,

        // The key, not the model, is the problem: another key of the pool may serve.
        FailureKind.RateLimited or FailureKind.QuotaExhausted or FailureKind.AuthFailed => DispatchAction.RotateKey,

        // Transient: one more try on the same deployment is cheap and often enough.
        FailureKind.ServerError or FailureKind.ConnectionFailed => DispatchAction.RetrySame,

        // Slow or broken deployments: retrying the same one would double the wait.
        FailureKind.Timeout or FailureKind.FirstTokenTimeout or FailureKind.StreamStalled or FailureKind.StreamCut
            or FailureKind.InvalidResponse or FailureKind.ModelNotFound or FailureKind.ContextOverflow
            or FailureKind.BreakerOpen or FailureKind.BudgetExhausted or FailureKind.CapabilityMismatch
            or FailureKind.CostCeiling or FailureKind.SchemaViolation => DispatchAction.NextCandidate,

        // A refusal is an answer: routing around it silently would defeat the filter.
        FailureKind.ContentFiltered => contentFilterFallback ? DispatchAction.NextCandidate : DispatchAction.FailFast,

        // The request is at fault (every model would refuse it), or the client is gone.
        FailureKind.InvalidRequest or FailureKind.Cancelled => DispatchAction.FailFast,
        _ => DispatchAction.NextCandidate,
    };
}
