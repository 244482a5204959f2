using Dispatcher.Grains.Telemetry;

namespace Dispatcher.Grains.Providers;

public sealed partial class ProviderActor
{
    /// <summary>A breaker changed state (called under the lock): an event on the current span and a counted transition.</summary>
    private void OnBreakerChanged(IDeploymentBreaker breaker)
    {
        var deployment = "unknown";
        foreach (var (model, candidate) in _breakers)
        {
            if (ReferenceEquals(candidate, breaker))
            {
                deployment = model;
                break;
            }
        }

        var state = StateName(breaker.State);
        DispatcherMetrics.RecordBreakerTransition(Name, deployment, state);
        DispatcherTelemetry.AddEvent(TelemetryNames.BreakerEvent,
            new(TelemetryNames.Provider, Name),
            new(TelemetryNames.Deployment, deployment),
            new(TelemetryNames.BreakerState, state));
    }
}
