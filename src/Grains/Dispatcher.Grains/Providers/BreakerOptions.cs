using System.ComponentModel.DataAnnotations;

namespace Dispatcher.Grains.Providers;

/// <summary>
/// Circuit breaker settings of a provider, applied to each of its deployments (provider + upstream model).
/// Bound from <c>Dispatcher:Providers:{provider}:Breaker</c>; the names, ranges and meaning are Polly's.
/// </summary>
public sealed class BreakerOptions
{
    /// <summary>The failure ratio, within the sampling window, at or above which the breaker opens.</summary>
    /// <value>Default 0.5. Between 0 and 1.</value>
    [Range(0.0, 1.0)]
    public double FailureRatio { get; set; } = 0.5;

    /// <summary>The number of outcomes the sampling window must hold before the ratio can open the breaker.</summary>
    /// <value>Default 5. At least 2.</value>
    [Range(2, int.MaxValue)]
    public int MinimumThroughput { get; set; } = 5;

    /// <summary>How far back outcomes are counted when the failure ratio is computed.</summary>
    /// <value>Default 30 seconds. Between 0.5 second and 1 day.</value>
    [Range(typeof(TimeSpan), "00:00:00.500", "1.00:00:00")]
    public TimeSpan SamplingDuration { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long the breaker stays open before it lets one probe call through.</summary>
    /// <value>Default 15 seconds. Between 0.5 second and 1 day.</value>
    [Range(typeof(TimeSpan), "00:00:00.500", "1.00:00:00")]
    public TimeSpan BreakDuration { get; set; } = TimeSpan.FromSeconds(15);
}
