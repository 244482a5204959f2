namespace Dispatcher.Silo.Hosting;

/// <summary>
/// Whether this node has finished starting: configuration valid, actors built, stores migrated and, in a cluster,
/// the cluster joined. <c>/readyz</c> reads it. Losing a store later does not make the node unready (SPEC.md): that
/// would pull every node at once.
/// </summary>
public sealed class NodeReadiness
{
    private volatile bool _started;
    private volatile bool _awaitingCluster;

    /// <summary>True once start-up has completed.</summary>
    public bool IsReady => _started && !_awaitingCluster;

    /// <summary>What the node still waits for, for /readyz: <c>starting</c> or <c>joining_cluster</c>.</summary>
    public string Waiting => !_started ? "starting" : "joining_cluster";

    internal void MarkReady() => _started = true;

    internal void ExpectClusterJoin() => _awaitingCluster = true;

    internal void MarkClusterJoined() => _awaitingCluster = false;
}
