using Dispatcher.Grains.Dispatch;

namespace Dispatcher.Grains.Ledger;

/// <summary>One request's row in the ledger: what was asked, what served, what it cost, and every attempt.</summary>
/// <param name="RequestId">The id in <c>x-dispatcher-request-id</c>.</param>
/// <param name="At">When the request arrived.</param>
/// <param name="Route">The route or model the client named.</param>
/// <param name="Stream">Whether it was a stream.</param>
/// <param name="Status">The status the client got (for streams: 200, with <paramref name="Outcome"/> saying how it ended).</param>
/// <param name="Outcome"><c>completed</c> or the failure kind that ended it.</param>
/// <param name="ServedModel">The alias that served, if any.</param>
/// <param name="Provider">Its provider.</param>
/// <param name="PromptTokens">Input tokens of the serving attempt.</param>
/// <param name="CompletionTokens">Output tokens of the serving attempt.</param>
/// <param name="CostUsd">The total cost across attempts.</param>
/// <param name="Attempts">The decision trail.</param>
public sealed record RequestRecord(string RequestId, DateTimeOffset At, string Route, bool Stream, int Status, string Outcome,
    string? ServedModel, string? Provider, int PromptTokens, int CompletionTokens, decimal CostUsd, IReadOnlyList<AttemptRecord> Attempts)
{
    /// <summary>The virtual key that made the request (its id, never its secret); null when keys are off.</summary>
    public string? VirtualKeyId { get; init; }
}
