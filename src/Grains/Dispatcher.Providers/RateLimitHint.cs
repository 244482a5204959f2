namespace Dispatcher.Providers;

/// <summary>
/// What an upstream said about our key's budget in its headers (x-ratelimit-remaining-*, x-ratelimit-reset-*):
/// lets the key's budget follow the provider's own count instead of only our estimate.
/// </summary>
/// <param name="RemainingRequests">Requests left in the provider's window, when reported.</param>
/// <param name="RemainingTokens">Tokens left in the provider's window, when reported.</param>
/// <param name="ResetAfter">When the exhausted window resets, when reported.</param>
public readonly record struct RateLimitHint(int? RemainingRequests, long? RemainingTokens, TimeSpan? ResetAfter)
{
    /// <summary>True when the provider says the key has nothing left until <see cref="ResetAfter"/>.</summary>
    public bool Exhausted => RemainingRequests == 0 || RemainingTokens == 0;
}
