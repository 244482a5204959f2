namespace Dispatcher.Silo.Hosting;

/// <summary>
/// Whether this node has finished starting: configuration valid, actors built, stores migrated. <c>/readyz</c> reads
/// it. Losing a store later does not make the node unready (SPEC.md): that would pull every node at once.
/// </summary>
public sealed class NodeReadiness
{
    private volatile bool _ready;

    /// <summary>True once start-up has completed.</summary>
    public bool IsReady => _ready;

    internal void MarkReady() => _ready = true;
}
