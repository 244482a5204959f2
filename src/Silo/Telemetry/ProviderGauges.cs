using System.Diagnostics.Metrics;
using Dispatcher.Grains.Telemetry;
using Dispatcher.Silo.Hosting;

namespace Dispatcher.Silo.Telemetry;

/// <summary>
/// Observable gauges over the node's provider actors: each deployment's breaker state and each key's budget left,
/// read from the actors' snapshots only when a listener collects (once per export interval).
/// </summary>
public sealed class ProviderGauges : IDisposable
{
    private readonly Meter _meter;
    private readonly DispatcherRuntime _runtime;

    /// <summary>Registers the gauges on a <c>Dispatcher</c> meter owned by this node.</summary>
    public ProviderGauges(DispatcherRuntime runtime)
    {
        _runtime = runtime;
        _meter = new Meter(DispatcherTelemetry.Name);
        _meter.CreateObservableGauge("dispatcher.breaker.state", BreakerStates, "{state}",
            "Each deployment's circuit breaker: 0 closed, 1 half-open, 2 open.");
        _meter.CreateObservableGauge("dispatcher.key.remaining_requests", RemainingRequests, "{request}",
            "Requests left in each key's current one-minute window (keys with an Rpm budget).");
        _meter.CreateObservableGauge("dispatcher.key.remaining_tokens", RemainingTokens, "{token}",
            "Tokens left in each key's current one-minute window (keys with a Tpm budget).");
    }

    /// <inheritdoc />
    public void Dispose() => _meter.Dispose();

    /// <summary>The gauge value of a breaker state name.</summary>
    public static int StateValue(string state) => state switch
    {
        "open" => 2,
        "half_open" => 1,
        _ => 0,
    };

    private List<Measurement<int>> BreakerStates()
    {
        var measurements = new List<Measurement<int>>();
        foreach (var provider in _runtime.Providers.Values)
        {
            foreach (var deployment in provider.Snapshot().Deployments)
            {
                measurements.Add(new Measurement<int>(StateValue(deployment.State),
                    new KeyValuePair<string, object?>(TelemetryNames.Provider, provider.Name),
                    new KeyValuePair<string, object?>(TelemetryNames.Deployment, deployment.Model)));
            }
        }

        return measurements;
    }

    private List<Measurement<long>> RemainingRequests() => Budgets(static key => key.RemainingRequests);

    private List<Measurement<long>> RemainingTokens() => Budgets(static key => key.RemainingTokens);

    private List<Measurement<long>> Budgets(Func<Grains.Providers.KeySnapshot, long?> left)
    {
        var measurements = new List<Measurement<long>>();
        foreach (var provider in _runtime.Providers.Values)
        {
            foreach (var key in provider.Snapshot().Keys)
            {
                if (left(key) is { } value)
                {
                    measurements.Add(new Measurement<long>(value,
                        new KeyValuePair<string, object?>(TelemetryNames.Provider, provider.Name),
                        new KeyValuePair<string, object?>(TelemetryNames.KeyId, key.Id)));
                }
            }
        }

        return measurements;
    }
}
