using Dispatcher.Providers;

namespace Dispatcher.Grains.Dispatch;

/// <summary>How one attempt went: an answer, a stream at its commit point, or a classified failure.</summary>
internal sealed record AttemptOutcome(UpstreamFailure? Failure, RateLimitHint RateLimits)
{
    public CompletionResult? Completion { get; init; }

    public StreamStart? Stream { get; init; }

    public string? ChunkId { get; init; }

    public string? UpstreamModel { get; init; }

    public static AttemptOutcome Failed(FailureKind kind, string detail) => new(UpstreamFailure.Of(kind, detail), default);
}
