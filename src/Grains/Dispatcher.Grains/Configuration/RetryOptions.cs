namespace Dispatcher.Grains.Configuration;

/// <summary>The <c>Dispatcher:Retry</c> section: how much effort one request may cost.</summary>
public sealed class RetryOptions
{
    /// <summary>Most attempts (upstream calls and skips) for one request across its whole chain. Default 6.</summary>
    public int MaxAttemptsPerRequest { get; set; } = 6;

    /// <summary>Longest Retry-After honoured by waiting; a longer one moves to the next candidate. Default 1 s.</summary>
    public TimeSpan MaxRetryAfter { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// When every candidate was skipped because it is cooling down (breaker open, budget spent) and the earliest
    /// recovers within this long, wait for it and walk the chain once more instead of failing at once. Default 1 s.
    /// </summary>
    public TimeSpan MaxRecoveryWait { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Retries of the same candidate after a transient failure (5xx, connection). Default 1.</summary>
    public int SameCandidateRetries { get; set; } = 1;
}
