using Dispatcher.Grains.Providers;

namespace Dispatcher.Grains.Tests.Providers;

/// <summary>An embedded-style authority that hands out real breakers and budgets on a test clock, and remembers them.</summary>
internal sealed class TestAuthority(TimeProvider time) : IProviderAuthority
{
    public string Mode => "test";

    public Dictionary<string, CircuitBreaker> Breakers { get; } = new(StringComparer.Ordinal);

    public Dictionary<string, KeyWindowBudget> Budgets { get; } = new(StringComparer.Ordinal);

    public IDeploymentBreaker GetBreaker(string provider, string upstreamModel, BreakerOptions options)
    {
        var breaker = new CircuitBreaker(options, time);
        Breakers.Add($"{provider}/{upstreamModel}", breaker);
        return breaker;
    }

    public IKeyBudget GetBudget(string provider, string keyId, int? rpm, int? tpm)
    {
        var budget = new KeyWindowBudget(rpm, tpm, time);
        Budgets.Add($"{provider}/{keyId}", budget);
        return budget;
    }

    public Task<ClusterView> DescribeAsync(CancellationToken cancellationToken) =>
        Task.FromResult(new ClusterView(Mode, "test-node", false, [], [], []));
}
