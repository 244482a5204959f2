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

    /// <summary>
    /// Postgres mode: how long outcomes gather before a node reports them in one round trip (and how soon a
    /// running-low lease is refilled). Default 100 ms.
    /// </summary>
    public TimeSpan ReportInterval { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>Whether <see cref="Mode"/> is <c>Postgres</c>.</summary>
    public bool IsPostgres => string.Equals(Mode, "Postgres", StringComparison.OrdinalIgnoreCase);
}
