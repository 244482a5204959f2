namespace Dispatcher.Grains.Providers;

/// <summary>Permission for one attempt: the key to use and the tokens reserved on its budget.</summary>
public readonly record struct ProviderLease(ProviderKey Key, IDeploymentBreaker Breaker, int ReservedTokens);
