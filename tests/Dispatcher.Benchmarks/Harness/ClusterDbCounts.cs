using Dispatcher.Benchmarks.Reporting;

namespace Dispatcher.Benchmarks.Harness;

/// <summary>
/// The cluster target's database transactions per cell and over an idle window as long. A cell's closing reading is
/// taken <see cref="DbTransactionCounter.Settle"/> after its load (the node's counters are published late) while the
/// other targets run; anything that loads the cluster node first waits for it (<see cref="BeforeLoadAsync"/>).
/// </summary>
internal sealed class ClusterDbCounts
{
    private readonly DbTransactionCounter _counter;
    private readonly Target _cluster;
    private readonly List<CellResult> _cells;
    private readonly TimeSpan _load;
    private readonly List<(CellResult Cell, DbReading Before, Task<DbReading> After)> _pending = [];
    private (long Transactions, double Seconds) _idle;

    /// <param name="cells">The run's cells: a cluster cell is replaced by its copy with the counts once they are in.</param>
    /// <param name="load">Seconds of load per cell.</param>
    public ClusterDbCounts(DbTransactionCounter counter, Target cluster, List<CellResult> cells, TimeSpan load)
    {
        _counter = counter;
        _cluster = cluster;
        _cells = cells;
        _load = load;
    }

    public bool IsCluster(Target target) => target == _cluster;

    /// <summary>The node's transactions while it has no load, over a window as long as a cell's (load + settle).</summary>
    public async Task MeasureIdleAsync()
    {
        var before = await _counter.ReadSettledAsync();
        await Task.Delay(_load + DbTransactionCounter.Settle);
        var after = await _counter.ReadNowAsync();
        _idle = (after.Transactions - before.Transactions, (after.At - before.At).TotalSeconds);
        Console.WriteLine($"cluster idle: {_idle.Transactions} db transactions in {_idle.Seconds:0.0} s");
    }

    /// <summary>The target just had load: if it is the cluster node, the next settled reading waits from now.</summary>
    public void MarkActive(Target target)
    {
        if (IsCluster(target))
        {
            _counter.MarkActive();
        }
    }

    /// <summary>Before <paramref name="target"/> gets load: the cluster cells' closing readings are taken first.</summary>
    public async Task BeforeLoadAsync(Target target)
    {
        if (IsCluster(target))
        {
            await SettleAsync();
        }
    }

    /// <summary>The opening reading of a cluster cell (null for other targets).</summary>
    public async Task<DbReading?> BeforeCellAsync(Target target)
    {
        if (!IsCluster(target))
        {
            return null;
        }

        await SettleAsync();
        return await _counter.ReadSettledAsync();
    }

    /// <summary>Starts the closing reading of a cluster cell; it completes <see cref="DbTransactionCounter.Settle"/> from now.</summary>
    public void AfterCell(CellResult cell, DbReading before)
    {
        _counter.MarkActive();
        _pending.Add((cell, before, _counter.ReadSettledAsync()));
    }

    /// <summary>All closing readings taken, and what else is in the node's database.</summary>
    public async Task<ClusterDatabaseInfo> FinishAsync()
    {
        await SettleAsync();
        return new ClusterDatabaseInfo(
            PostgresServer.Database, _idle.Transactions, _idle.Seconds, DbTransactionCounter.Settle.TotalSeconds, await _counter.OtherTablesAsync());
    }

    private async Task SettleAsync()
    {
        var idleRate = _idle.Seconds > 0 ? _idle.Transactions / _idle.Seconds : 0;
        foreach (var (cell, before, pending) in _pending)
        {
            var after = await pending;
            var window = (after.At - before.At).TotalSeconds;
            var db = new DbTransactions(after.Transactions - before.Transactions, window, idleRate * window, cell.Wrk.Requests, _load.TotalSeconds);
            _cells[_cells.IndexOf(cell)] = cell with { Db = db };
            Console.WriteLine(
                $"round {cell.Round} {(cell.Stream ? "stream" : "json"),-6} c={cell.Concurrency,-3} {cell.Target,-16} {db.Transactions} db tx in {window:0.0} s " +
                $"(idle {db.IdleTransactions:0.0}): {db.PerRequest:0.0000} tx/req, net of idle {db.NetPerRequest:0.0000} tx/req, {db.NetPerSecond:0.0} tx/s over idle");
        }

        _pending.Clear();
    }
}
