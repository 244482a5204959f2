using Dispatcher.Grains.Contracts;
using Dispatcher.Providers;

namespace Dispatcher.Grains.Dispatch;

/// <summary>How one attempt went: an answer, a stream at its commit point, or a classified failure.</summary>
internal sealed record AttemptOutcome(UpstreamFailure? Failure, RateLimitHint RateLimits)
{
    public CompletionResult? Completion { get; init; }

    public StreamStart? Stream { get; init; }

    public string? ChunkId { get; init; }

    public string? UpstreamModel { get; init; }

    /// <summary>Usage of a failed attempt that was still billed (an answer that broke its contract).</summary>
    public TokenUsage? SpentUsage { get; init; }

    /// <summary>The contract breach of a <c>schema_violation</c>, with its repair turn.</summary>
    public ContractBreach? Breach { get; init; }

    public static AttemptOutcome Failed(FailureKind kind, string detail) => new(UpstreamFailure.Of(kind, detail), default);
}
