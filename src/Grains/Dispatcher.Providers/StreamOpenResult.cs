namespace Dispatcher.Providers;

/// <summary>The start of a streaming attempt: a chunk stream, or a failure seen before any event.</summary>
public readonly record struct StreamOpenResult(IChunkSource? Source, UpstreamFailure? Failure, RateLimitHint RateLimits)
{
    /// <summary>An open stream.</summary>
    public static StreamOpenResult Opened(IChunkSource source, RateLimitHint hint) => new(source, null, hint);

    /// <summary>A failed attempt.</summary>
    public static StreamOpenResult Failed(UpstreamFailure failure, RateLimitHint hint = default) => new(null, failure, hint);
}
