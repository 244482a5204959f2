namespace Dispatcher.Grains.Configuration;

/// <summary>The <c>Dispatcher:Cluster</c> section.</summary>
public sealed class ClusterOptions
{
    /// <summary><c>Embedded</c> (default: one node, in-process authority) or <c>Postgres</c>.</summary>
    public string Mode { get; set; } = "Embedded";

    /// <summary>The PostgreSQL connection string, for Postgres mode.</summary>
    public string? ConnectionString { get; set; }

    /// <summary>This node's id; default: host name and process id.</summary>
    public string? NodeId { get; set; }

    /// <summary>How long a budget lease lives. Default 10 s.</summary>
    public TimeSpan LeaseTtl { get; set; } = TimeSpan.FromSeconds(10);
}
