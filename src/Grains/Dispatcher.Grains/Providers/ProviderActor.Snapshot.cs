using Dispatcher.Providers;

namespace Dispatcher.Grains.Providers;

public sealed partial class ProviderActor
{
    /// <summary>The provider as the operator API shows it: breakers per deployment, keys and their budgets.</summary>
    public ProviderSnapshot Snapshot()
    {
        lock (_gate)
        {
            var now = _time.GetUtcNow();
            var deployments = _breakers
                .Select(pair => new DeploymentSnapshot(pair.Key, StateName(pair.Value.State), pair.Value.OpenUntil,
                    pair.Value.WindowCounts.Successes, pair.Value.WindowCounts.Failures))
                .ToArray();
            var keys = _keys
                .Select(key => new KeySnapshot(key.Id, key.ParkedUntil > now, key.ParkedUntil > now ? key.ParkedFor.ToWireName() : null,
                    key.ParkedUntil > now ? key.ParkedUntil : null, key.Budget.RemainingRequests, key.Budget.RemainingTokens, key.Budget.CoolingUntil))
                .ToArray();
            var state = deployments.Length > 0 && deployments.All(d => d.State == "open") ? "open"
                : deployments.Length > 0 && deployments.All(d => d.State != "closed") ? "half_open"
                : "closed";
            return new ProviderSnapshot(Name, state, deployments, keys);
        }
    }

    private static string StateName(BreakerState state) => state switch
    {
        BreakerState.Open => "open",
        BreakerState.HalfOpen => "half_open",
        _ => "closed",
    };
}
