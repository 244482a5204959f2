namespace Dispatcher.Providers.Simulated;

/// <summary>Settings of a <c>simulated</c> provider: an in-process upstream for the demo and tests (no network).</summary>
public sealed class SimulatedAdapterOptions
{
    /// <summary>Share of attempts that fail with a simulated 503, from 0 to 1. Default 0.</summary>
    public double FailureRate { get; init; }

    /// <summary>Delay before the answer (or its first chunk). Default zero.</summary>
    public TimeSpan Latency { get; init; }

    /// <summary>The clock the latency runs on.</summary>
    public TimeProvider Time { get; init; } = TimeProvider.System;

    /// <summary>Draws a number in [0, 1) to decide failures; injectable so tests can fix it.</summary>
    public Func<double> Draw { get; init; } = Random.Shared.NextDouble;
}
