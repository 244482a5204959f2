using System.Threading.Channels;
using Dispatcher.Grains.Ledger;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Dispatcher.Silo.Ledger;

/// <summary>
/// The request ledger's group commit, whatever the store: one loop writes everything queued (up to
/// <see cref="MaxBatchSize"/> rows) in one transaction. Acknowledged callers wait for their batch's commit, at most
/// <see cref="MaxAcknowledgeWait"/>; Async callers only for a place in the queue, and the loop gathers their rows for
/// 50 ms per commit. A batch the store rejects fails its callers with an <see cref="IOException"/>; a batch that
/// fails because the store is unreachable stays in memory and is tried again with backoff until the store answers
/// or the node stops, so no row is lost while the node lives.
/// </summary>
internal partial class GroupCommitLedger : IRequestLedger, IHostedService, IAsyncDisposable
{
    internal const int QueueCapacity = 10_000;
    internal const int MaxBatchSize = 512;

    /// <summary>The longest a caller waits for its row to be stored (or, Async, queued) before it gets an error.</summary>
    internal static readonly TimeSpan MaxAcknowledgeWait = TimeSpan.FromSeconds(10);

    private static readonly TimeSpan RetentionInterval = TimeSpan.FromHours(1);

    // Async durability gathers rows this long before a commit: one transaction then carries many requests (the
    // commit, not the row, is what costs CPU), and SPEC.md's "flushed at least every 100 ms" still holds.
    private static readonly TimeSpan AsyncGatherWindow = TimeSpan.FromMilliseconds(50);

    private readonly Channel<PendingRecord> _queue = Channel.CreateBounded<PendingRecord>(
        new BoundedChannelOptions(QueueCapacity) { FullMode = BoundedChannelFullMode.Wait, SingleReader = true });
    private readonly ILedgerStore _store;
    private readonly LedgerOptions _options;
    private readonly bool _acknowledged;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stopping = new();
    private readonly CancellationTokenSource _abandon = new();
    private ITimer? _retentionTimer;
    private Task? _loop;
    private int _retentionDue;
    private long _committedBatches;
    private TaskCompletionSource? _committed;
    private CancellationTokenRegistration _stopRegistration;
    private int _disposed;
    private bool _migrated; // written at start, then only by the loop

    protected GroupCommitLedger(ILedgerStore store, LedgerOptions options, TimeProvider time, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(logger);
        _store = store;
        _options = options;
        _acknowledged = !options.IsAsync;
        _time = time;
        _logger = logger;
    }

    /// <summary>Batches committed so far (tests check that rows are grouped: one commit, one round trip each).</summary>
    internal long CommittedBatches => Interlocked.Read(ref _committedBatches);

    /// <summary>Completes once <see cref="CommittedBatches"/> reaches <paramref name="count"/> (lets tests await a flush instead of polling).</summary>
    internal async Task WaitForCommittedBatchesAsync(long count, CancellationToken cancellationToken)
    {
        while (CommittedBatches < count)
        {
            var signal = Volatile.Read(ref _committed);
            if (signal is null)
            {
                var created = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                signal = Interlocked.CompareExchange(ref _committed, created, null) ?? created;
                continue; // re-read the count: a commit may have landed before the signal was in place
            }

            await signal.Task.WaitAsync(cancellationToken);
        }
    }

    /// <inheritdoc />
    /// <exception cref="ChannelClosedException">The ledger has been stopped.</exception>
    /// <exception cref="IOException">The store rejected the row, or did not take it within <see cref="MaxAcknowledgeWait"/>.</exception>
    public ValueTask RecordAsync(RequestRecord record, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(record);
        var acknowledgement = _acknowledged ? new Acknowledgement(record.RequestId, _store.Description, _time) : null;
        var pending = new PendingRecord(record, acknowledgement);
        if (!_queue.Writer.TryWrite(pending))
        {
            return EnqueueAndWaitAsync(pending, cancellationToken);
        }

        return acknowledgement is null ? ValueTask.CompletedTask : new ValueTask(Wait(acknowledgement.Task, cancellationToken));
    }

    /// <inheritdoc />
    public Task<RequestRecord?> FindAsync(string requestId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(requestId);
        return _store.FindAsync(requestId, cancellationToken);
    }

    /// <summary>Migrates the store's schema and starts the writer loop and the hourly retention sweep.</summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (_loop is not null)
        {
            throw new InvalidOperationException("The request ledger has already been started.");
        }

        try
        {
            await MigrateAsync(cancellationToken);
        }
        catch (Exception e) when (_store.IsTransient(e) && !cancellationToken.IsCancellationRequested)
        {
            // Like the cluster's authority, a node that cannot reach its database at start says so and keeps trying
            // (its /readyz stays 503 meanwhile): the loop migrates before its first write.
            Log.StoreUnavailableAtStart(_logger, _store.Description, e.Message);
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            throw new InvalidOperationException($"The request ledger cannot use {_store.Description}: {e.Message}", e);
        }

        // A store may do synchronous I/O (SQLite), so the loop runs on the pool rather than in the caller of
        // StartAsync; it never throws, and StopAsync/DisposeAsync await it.
        _loop = Task.Run(WriteLoopAsync, CancellationToken.None);
        _retentionTimer = _time.CreateTimer(static state => ((GroupCommitLedger)state!).OnRetentionDue(),
            this, TimeSpan.Zero, RetentionInterval);
    }

    /// <summary>
    /// Stops taking rows and waits until everything queued is written. When <paramref name="cancellationToken"/> fires
    /// first (the host's shutdown timeout), an unreachable store is no longer waited for: the rows it still holds fail.
    /// </summary>
    public Task StopAsync(CancellationToken cancellationToken)
    {
        _stopping.Cancel();
        _queue.Writer.TryComplete();
        _retentionTimer?.Dispose();
        if (_loop is null)
        {
            return Task.CompletedTask;
        }

        _stopRegistration = cancellationToken.Register(static state => ((CancellationTokenSource)state!).Cancel(), _abandon);
        return _loop.WaitAsync(cancellationToken);
    }

    /// <summary>Like <see cref="StopAsync"/>, but each remaining batch gets one try, without waiting for an unreachable store; then releases the store.</summary>
    public async ValueTask DisposeAsync()
    {
        // The container may dispose it once per service it was registered as (ledger, hosted service).
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        await _stopping.CancelAsync();
        await _abandon.CancelAsync();
        _queue.Writer.TryComplete();
        _retentionTimer?.Dispose();
        if (_loop is not null)
        {
            await _loop;
        }
        else
        {
            // Never started: nothing will write what was queued.
            while (_queue.Reader.TryRead(out var pending))
            {
                pending.Acknowledgement?.Fail(new ObjectDisposedException(GetType().Name));
            }
        }

        await _store.DisposeAsync();
        await _stopRegistration.DisposeAsync(); // the host's token may fire later: it must not find _abandon disposed
        _stopping.Dispose();
        _abandon.Dispose();
        GC.SuppressFinalize(this);
    }

    private async Task MigrateAsync(CancellationToken cancellationToken)
    {
        var (from, to) = await _store.MigrateAsync(cancellationToken);
        _migrated = true;
        Log.Started(_logger, _store.Description, from, to, _acknowledged ? "Acknowledged" : "Async");
    }

    private async ValueTask EnqueueAndWaitAsync(PendingRecord pending, CancellationToken cancellationToken)
    {
        // The queue is full (the store is slow or unreachable): wait for room, but no longer than a caller may wait.
        using (var deadline = new CancellationTokenSource(MaxAcknowledgeWait, _time))
        using (var linked = CancellationTokenSource.CreateLinkedTokenSource(deadline.Token, cancellationToken))
        {
            try
            {
                await _queue.Writer.WriteAsync(pending, linked.Token);
            }
            catch (OperationCanceledException e) when (deadline.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
            {
                pending.Acknowledgement?.Dispose();
                throw new IOException(
                    $"The request ledger could not queue request '{pending.Record!.RequestId}' within {MaxAcknowledgeWait.TotalSeconds:0} s: " +
                    $"its queue of {QueueCapacity} rows is full because {_store.Description} is unreachable or too slow.", e);
            }
            catch
            {
                pending.Acknowledgement?.Dispose(); // not queued (stopped, or the caller gave up): nothing will complete it
                throw;
            }
        }

        if (pending.Acknowledgement is not null)
        {
            await Wait(pending.Acknowledgement.Task, cancellationToken);
        }
    }

    // A caller that gives up still leaves its row queued: it is written all the same.
    private static Task Wait(Task commit, CancellationToken cancellationToken) =>
        cancellationToken.CanBeCanceled ? commit.WaitAsync(cancellationToken) : commit;

    private readonly record struct PendingRecord(RequestRecord? Record, Acknowledgement? Acknowledgement);
}
