using Dispatcher.Providers;

namespace Dispatcher.Grains.Dispatch;

/// <summary>One entry of a request's decision trail: an upstream call, or a skip of a candidate.</summary>
/// <param name="Model">The model alias.</param>
/// <param name="Provider">The provider.</param>
/// <param name="KeyId">The key used (<c>key-…</c>), null for a skip.</param>
/// <param name="Kind">How it ended (<see cref="FailureKind.None"/> = served).</param>
/// <param name="Action">What the policy did next.</param>
/// <param name="StatusCode">The upstream's HTTP status, 0 when none.</param>
/// <param name="LatencyMs">Time spent on this attempt.</param>
/// <param name="CostUsd">What the attempt cost, priced at the model that served it.</param>
/// <param name="Detail">Dispatcher's own words about the failure.</param>
public sealed record AttemptRecord(string Model, string Provider, string? KeyId, FailureKind Kind, DispatchAction Action,
    int StatusCode, double LatencyMs, decimal CostUsd, string? Detail)
{
    /// <summary>True when the candidate was skipped without an upstream call.</summary>
    public bool Skipped => KeyId is null && Kind != FailureKind.None;
}
