namespace Dispatcher.Grains.Keys;

/// <summary>Whether a key's request may go ahead now.</summary>
public enum KeyVerdict
{
    /// <summary>Go ahead.</summary>
    Admitted,

    /// <summary>The key's requests-per-minute are spent: 429 <c>key_rate_limited</c> with Retry-After.</summary>
    RateLimited,

    /// <summary>The key's monthly budget is spent: 429 <c>key_budget_exhausted</c>.</summary>
    BudgetExhausted,
}

/// <summary>The verdict, with the wait for a rate limit and what is left of the month's budget.</summary>
/// <param name="Verdict">The verdict.</param>
/// <param name="RetryAfter">For <see cref="KeyVerdict.RateLimited"/>: when the window reopens.</param>
/// <param name="BudgetLeftUsd">What the key may still spend this month; null = no budget.</param>
public readonly record struct KeyAdmission(KeyVerdict Verdict, TimeSpan RetryAfter, decimal? BudgetLeftUsd);
