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

    /// <summary>The kind whose wire name is <paramref name="name"/> (the reverse of <see cref="ToWireName"/>).</summary>
    /// <returns>False when <paramref name="name"/> is not a wire name (names are case-sensitive).</returns>
    public static bool TryParseWireName(string? name, out FailureKind kind)
    {
        FailureKind? parsed = name switch
        {
            "none" => FailureKind.None,
            "rate_limited" => FailureKind.RateLimited,
            "quota_exhausted" => FailureKind.QuotaExhausted,
            "auth_failed" => FailureKind.AuthFailed,
            "timeout" => FailureKind.Timeout,
            "first_token_timeout" => FailureKind.FirstTokenTimeout,
            "stream_stalled" => FailureKind.StreamStalled,
            "stream_cut" => FailureKind.StreamCut,
            "server_error" => FailureKind.ServerError,
            "connection_failed" => FailureKind.ConnectionFailed,
            "context_overflow" => FailureKind.ContextOverflow,
            "content_filtered" => FailureKind.ContentFiltered,
            "invalid_request" => FailureKind.InvalidRequest,
            "model_not_found" => FailureKind.ModelNotFound,
            "schema_violation" => FailureKind.SchemaViolation,
            "breaker_open" => FailureKind.BreakerOpen,
            "budget_exhausted" => FailureKind.BudgetExhausted,
            "cost_ceiling" => FailureKind.CostCeiling,
            "invalid_response" => FailureKind.InvalidResponse,
            "capability_mismatch" => FailureKind.CapabilityMismatch,
            "cancelled" => FailureKind.Cancelled,
            _ => null,
        };
        kind = parsed.GetValueOrDefault();
        return parsed.HasValue;
    }
}
