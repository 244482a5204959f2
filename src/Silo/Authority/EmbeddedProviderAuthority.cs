using Dispatcher.Grains.Providers;

namespace Dispatcher.Silo.Authority;

/// <summary>
/// The authority of a single node: each deployment's breaker and each key's budget live in this process, so the
/// node's view is the truth and no call ever leaves the process.
/// </summary>
internal sealed class EmbeddedProviderAuthority : IProviderAuthority
{
    private readonly TimeProvider _time;

    public EmbeddedProviderAuthority(TimeProvider time) => _time = time;

    public string Mode => "embedded";

    public IDeploymentBreaker GetBreaker(string provider, string upstreamModel, BreakerOptions options) => new CircuitBreaker(options, _time);

    public IKeyBudget GetBudget(string provider, string keyId, int? rpm, int? tpm) => new KeyWindowBudget(rpm, tpm, _time);

    public Task<ClusterView> DescribeAsync(CancellationToken cancellationToken) =>
        Task.FromResult(new ClusterView(Mode, Environment.MachineName, false, [], [], []));
}
