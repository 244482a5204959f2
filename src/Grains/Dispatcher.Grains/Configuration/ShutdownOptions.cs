namespace Dispatcher.Grains.Configuration;

/// <summary>The <c>Dispatcher:Shutdown</c> section: how a node stops.</summary>
public sealed class ShutdownOptions
{
    /// <summary>
    /// How long in-flight requests may run once the node is told to stop (it stops accepting connections at once).
    /// A stream still running then ends with a typed error event (code <c>cancelled</c>) and its ledger row is
    /// written before the process exits. Default 30 s.
    /// </summary>
    public TimeSpan DrainTimeout { get; set; } = TimeSpan.FromSeconds(30);
}
