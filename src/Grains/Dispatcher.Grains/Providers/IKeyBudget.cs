namespace Dispatcher.Grains.Providers;

/// <summary>
/// The request and token budget of one provider API key. Embedded mode: a local one-minute window. A cluster
/// authority implements it over leases granted by the database. Called only under the owning actor's lock.
/// </summary>
public interface IKeyBudget
{
    /// <summary>Requests left in the current window; null when unlimited.</summary>
    int? RemainingRequests { get; }

    /// <summary>Tokens left in the current window; null when unlimited.</summary>
    long? RemainingTokens { get; }

    /// <summary>When an upstream-imposed cool-down ends; null when none.</summary>
    DateTimeOffset? CoolingUntil { get; }

    /// <summary>Takes one request and reserves tokens, or says how long to wait.</summary>
    bool TryConsume(int estimatedTokens, out TimeSpan retryAfter);

    /// <summary>Replaces a reservation by the tokens actually used.</summary>
    void Adjust(int reservedTokens, int actualTokens);

    /// <summary>Gives back a request that was never sent.</summary>
    void Refund(int reservedTokens);

    /// <summary>Stops use for <paramref name="duration"/>; never shortens a cool-down in force.</summary>
    void CoolDown(TimeSpan duration);
}
