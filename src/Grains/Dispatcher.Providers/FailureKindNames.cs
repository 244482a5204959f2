namespace Dispatcher.Providers;

/// <summary>The words SPEC.md uses for failure kinds in headers, trails, logs, spans and metrics.</summary>
public static class FailureKindNames
{
    /// <summary>The snake_case wire name of <paramref name="kind"/> (a constant string: no allocation).</summary>
    public static string ToWireName(this FailureKind kind) => kind switch
    {
        FailureKind.None => "none",
        FailureKind.RateLimited => "rate_limited",
        FailureKind.QuotaExhausted => "quota_exhausted",
        FailureKind.AuthFailed => "auth_failed",
        FailureKind.Timeout => "timeout",
        FailureKind.FirstTokenTimeout => "first_token_timeout",
        FailureKind.StreamStalled => "stream_stalled",
        FailureKind.StreamCut => "stream_cut",
        FailureKind.ServerError => "server_error",
        FailureKind.ConnectionFailed => "connection_failed",
        FailureKind.ContextOverflow => "context_overflow",
        FailureKind.ContentFiltered => "content_filtered",
        FailureKind.InvalidRequest => "invalid_request",
        FailureKind.ModelNotFound => "model_not_found",
        FailureKind.SchemaViolation => "schema_violation",
        FailureKind.BreakerOpen => "breaker_open",
        FailureKind.BudgetExhausted => "budget_exhausted",
        FailureKind.CostCeiling => "cost_ceiling",
        FailureKind.InvalidResponse => "invalid_response",
        FailureKind.CapabilityMismatch => "capability_mismatch",
        FailureKind.Cancelled => "cancelled",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };
}
