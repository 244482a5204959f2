namespace Dispatcher.Providers;

/// <summary>
/// The end of a non-streaming attempt: either a body in OpenAI's chat.completion shape (owned: dispose it after
/// writing) with its usage, or a classified failure.
/// </summary>
public sealed class CompletionResult : IDisposable
{
    private CompletionResult(PooledBuffer? body, ResponseFacts facts, UpstreamFailure? failure, RateLimitHint hint)
    {
        Body = body;
        Facts = facts;
        Failure = failure;
        RateLimits = hint;
    }

    /// <summary>The answer's bytes; null on failure.</summary>
    public PooledBuffer? Body { get; }

    /// <summary>Usage, model and finish reason read from the answer.</summary>
    public ResponseFacts Facts { get; }

    /// <summary>The failure, or null when the attempt served.</summary>
    public UpstreamFailure? Failure { get; }

    /// <summary>Budget hints from the upstream's headers.</summary>
    public RateLimitHint RateLimits { get; }

    /// <summary>A served answer.</summary>
    public static CompletionResult Served(PooledBuffer body, ResponseFacts facts, RateLimitHint hint) => new(body, facts, null, hint);

    /// <summary>A failed attempt.</summary>
    public static CompletionResult Failed(UpstreamFailure failure, RateLimitHint hint = default) => new(null, default, failure, hint);

    /// <inheritdoc />
    public void Dispose() => Body?.Dispose();
}
