namespace Dispatcher.Grains.Configuration;

/// <summary>The <c>Dispatcher</c> configuration section (SPEC.md, "Configuration").</summary>
public sealed class DispatcherOptions
{
    /// <summary>The configuration section name.</summary>
    public const string SectionName = "Dispatcher";

    /// <summary>How nodes agree on provider health and budget. Default: Embedded.</summary>
    public ClusterOptions Cluster { get; set; } = new();

    /// <summary>Where Embedded mode keeps its SQLite file. Default <c>./data</c>.</summary>
    public string DataDirectory { get; set; } = "./data";

    /// <summary>Largest request body accepted; larger bodies get 413. Default 10 MiB.</summary>
    public long MaxRequestBodyBytes { get; set; } = 10 * 1024 * 1024;

    /// <summary>
    /// Largest total size of a request's header names and values; more gets an OpenAI-shaped 431. Default 32 KiB.
    /// Kestrel's own limit (64 KiB) stays behind it as the hard bound, answered with a bare 431.
    /// </summary>
    public int MaxRequestHeaderBytes { get; set; } = 32 * 1024;

    /// <summary>Bounds on retries and attempts.</summary>
    public RetryOptions Retry { get; set; } = new();

    /// <summary>How the node drains when it stops.</summary>
    public ShutdownOptions Shutdown { get; set; } = new();

    /// <summary>The master switch and guard of fault injection.</summary>
    public ChaosOptions Chaos { get; set; } = new();

    /// <summary>Upstream providers by name.</summary>
    public Dictionary<string, ProviderOptions> Providers { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Model aliases by name.</summary>
    public Dictionary<string, ModelOptions> Models { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Routes (fallback chains) by name.</summary>
    public Dictionary<string, RouteOptions> Routes { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>
    /// Which configuration is in force: <c>configured</c> (Providers set by the operator), <c>environment</c>
    /// (built from well-known key variables) or <c>demo</c>. Set at start-up, not by users.
    /// </summary>
    public string ConfigurationSource { get; set; } = "configured";
}
