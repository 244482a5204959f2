using Dispatcher.Providers;

namespace Dispatcher.Grains.Providers;

/// <summary>The answer of <see cref="ProviderActor.TryAcquire"/>: a lease, or why the candidate is skipped.</summary>
public readonly record struct AcquireResult(ProviderLease Lease, FailureKind SkipReason, TimeSpan RetryAfter)
{
    /// <summary>True when a lease was granted.</summary>
    public bool Granted => SkipReason == FailureKind.None;
}
