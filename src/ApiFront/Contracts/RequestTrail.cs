using Dispatcher.Grains.Dispatch;
using Dispatcher.Grains.Ledger;
using Dispatcher.Providers;

namespace Dispatcher.ApiFront.Contracts;

/// <summary>GET /v1/dispatcher/requests/{id}: one request's decision trail.</summary>
public sealed record RequestTrail(string RequestId, DateTimeOffset At, string Route, bool Stream, int Status, string Outcome,
    string? ServedModel, string? Provider, int PromptTokens, int CompletionTokens, decimal CostUsd, IReadOnlyList<RequestTrailAttempt> Attempts)
{
    /// <summary>The virtual key that made the request (<c>vk-…</c>); absent when keys are off.</summary>
    public string? VirtualKeyId { get; init; }

    /// <summary>The trail of a ledger row.</summary>
    public static RequestTrail From(RequestRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        return new RequestTrail(record.RequestId, record.At, record.Route, record.Stream, record.Status, record.Outcome, record.ServedModel,
            record.Provider, record.PromptTokens, record.CompletionTokens, record.CostUsd,
            record.Attempts.Select(a => new RequestTrailAttempt(a.Model, a.Provider, a.KeyId, a.Kind == FailureKind.None ? "served" : a.Kind.ToWireName(),
                a.Action.ToWireName(), a.StatusCode, a.LatencyMs, a.CostUsd, a.Detail,
                a.Detail?.StartsWith(Providers.Chaos.ChaosAdapter.DetailPrefix, StringComparison.Ordinal) == true ? true : null)).ToArray())
        {
            VirtualKeyId = record.VirtualKeyId,
        };
    }
}
