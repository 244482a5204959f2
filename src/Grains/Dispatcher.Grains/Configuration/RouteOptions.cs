namespace Dispatcher.Grains.Configuration;

/// <summary>One entry of <c>Dispatcher:Routes</c>: an ordered fallback chain and its policy.</summary>
public sealed partial class RouteOptions
{
    /// <summary>Model aliases, tried in order. Required, at least one.</summary>
    public List<string> Chain { get; set; } = [];

    /// <summary>Route around content filters (refusals are final by default). Default false.</summary>
    public bool ContentFilterFallback { get; set; }

    /// <summary>Default per-request cost ceiling in USD across all attempts; null = none.</summary>
    public decimal? MaxCostUsd { get; set; }

    /// <summary>Most a fallback may cost, as a multiple of the chain's first model's estimate (1.0 = never pricier); null = no limit.</summary>
    public double? MaxFallbackPriceRatio { get; set; }

    /// <summary>Output tokens assumed when pre-pricing a request that sets no <c>max_tokens</c>. Default 1000.</summary>
    public int ExpectedOutputTokens { get; set; } = 1000;

    /// <summary>Longest time for the whole request, all attempts. Default 10 min.</summary>
    public TimeSpan Deadline { get; set; } = TimeSpan.FromMinutes(10);
}
