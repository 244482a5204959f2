namespace Dispatcher.Providers;

/// <summary>
/// Why an attempt did not serve the request. Decided once, by the adapter that saw the upstream's answer
/// (or by the dispatcher for skips), then acted on by the dispatch policy. The wire names are in SPEC.md.
/// </summary>
public enum FailureKind
{
    /// <summary>No failure: the attempt served.</summary>
    None,
    RateLimited,
    QuotaExhausted,
    AuthFailed,
    Timeout,
    FirstTokenTimeout,
    StreamStalled,
    StreamCut,
    ServerError,
    ConnectionFailed,
    ContextOverflow,
    ContentFiltered,
    InvalidRequest,
    ModelNotFound,
    SchemaViolation,
    BreakerOpen,
    BudgetExhausted,
    CostCeiling,
    InvalidResponse,
    CapabilityMismatch,
    Cancelled,
}
