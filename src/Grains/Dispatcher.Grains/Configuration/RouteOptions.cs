namespace Dispatcher.Grains.Configuration;

/// <summary>One entry of <c>Dispatcher:Routes</c>: an ordered fallback chain and its policy.</summary>
public sealed class RouteOptions
{
    /// <summary>Model aliases, tried in order. Required, at least one.</summary>
    public List<string> Chain { get; set; } = [];

    /// <summary>Route around content filters (refusals are final by default). Default false.</summary>
    public bool ContentFilterFallback { get; set; }

    /// <summary>Longest time for the whole request, all attempts. Default 10 min.</summary>
    public TimeSpan Deadline { get; set; } = TimeSpan.FromMinutes(10);
}
