using Dispatcher.Providers.Chaos;

namespace Dispatcher.Grains.Configuration;

/// <summary>
/// <c>Dispatcher:Providers:&lt;name&gt;:Chaos</c>: the fault injection this provider starts with (inert unless
/// <c>Dispatcher:Chaos:Enabled</c>). Every rate is a share of attempts from 0 to 1; all default to 0.
/// </summary>
public sealed class ProviderChaosOptions
{
    /// <summary>Attempts failed as a broken connection (<c>connection_failed</c>) without calling the upstream.</summary>
    public double FaultRate { get; set; }

    /// <summary>Attempts delayed by <see cref="Latency"/> before the upstream call.</summary>
    public double LatencyRate { get; set; }

    /// <summary>The injected delay. Default zero.</summary>
    public TimeSpan Latency { get; set; }

    /// <summary>Attempts answered with <see cref="OutcomeStatus"/> without calling the upstream.</summary>
    public double OutcomeRate { get; set; }

    /// <summary>The injected HTTP status (400 to 599), classified like a real one. Default 503 (<c>server_error</c>).</summary>
    public int OutcomeStatus { get; set; } = 503;

    /// <summary>These options as settings.</summary>
    public ChaosSettings ToSettings() => new(FaultRate, LatencyRate, Latency, OutcomeRate, OutcomeStatus);
}
