using System.Threading.Channels;
using Dispatcher.Grains.Ledger;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Dispatcher.Silo.Ledger;

/// <summary>
/// The Embedded mode's ledger: one SQLite file in WAL mode, written by one loop that commits everything queued
/// (up to <see cref="MaxBatchSize"/> rows) in one transaction. Acknowledged callers wait for their batch's commit;
/// Async callers only for a place in the queue, which the loop drains as soon as rows arrive (well within 100 ms).
/// A failed batch is logged and its Acknowledged callers get an <see cref="IOException"/>; the loop goes on.
/// </summary>
internal sealed partial class SqliteRequestLedger : IRequestLedger, IHostedService, IAsyncDisposable
{
    internal const int QueueCapacity = 10_000;
    internal const int MaxBatchSize = 512;
    private static readonly TimeSpan RetentionInterval = TimeSpan.FromHours(1);

    // Async durability gathers rows this long before a commit: one transaction then carries many requests (the
    // commit, not the row, is what costs CPU), and SPEC.md's "flushed at least every 100 ms" still holds.
    private static readonly TimeSpan AsyncGatherWindow = TimeSpan.FromMilliseconds(50);

    private readonly Channel<PendingRecord> _queue = Channel.CreateBounded<PendingRecord>(
        new BoundedChannelOptions(QueueCapacity) { FullMode = BoundedChannelFullMode.Wait, SingleReader = true });
    private readonly string _databasePath;
    private readonly string _writeConnectionString;
    private readonly string _readConnectionString;
    private readonly LedgerOptions _options;
    private readonly bool _acknowledged;
    private readonly TimeProvider _time;
    private readonly ILogger<SqliteRequestLedger> _logger;
    private SqliteLedgerWriter? _writer;
    private ITimer? _retentionTimer;
    private Task? _loop;
    private int _retentionDue;
    private long _committedBatches;
    private readonly CancellationTokenSource _stopping = new();

    public SqliteRequestLedger(string databasePath, LedgerOptions options, TimeProvider time, ILogger<SqliteRequestLedger> logger)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(databasePath);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(logger);
        _databasePath = Path.GetFullPath(databasePath);
        _options = options;
        _acknowledged = !options.IsAsync;
        _time = time;
        _logger = logger;
        // SQLite's busy_timeout (5 s, set per connection) does the waiting on a lock; Microsoft.Data.Sqlite's own
        // busy retry runs until DefaultTimeout after that, so a short one keeps the total near 5 s rather than 10.
        var builder = new SqliteConnectionStringBuilder { DataSource = _databasePath, DefaultTimeout = 1 };
        builder.Mode = SqliteOpenMode.ReadWriteCreate;
        builder.Pooling = false; // the writer's connection lives as long as the ledger
        _writeConnectionString = builder.ToString();
        builder.Mode = SqliteOpenMode.ReadWrite;
        builder.Pooling = true;
        _readConnectionString = builder.ToString();
    }

    /// <summary>Batches committed so far (tests check that rows are grouped).</summary>
    internal long CommittedBatches => Interlocked.Read(ref _committedBatches);

    /// <inheritdoc />
    /// <exception cref="ChannelClosedException">The ledger has been stopped.</exception>
    public ValueTask RecordAsync(RequestRecord record, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(record);
        var completion = _acknowledged ? new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously) : null;
        var pending = new PendingRecord(record, completion);
        if (!_queue.Writer.TryWrite(pending))
        {
            return EnqueueAndWaitAsync(pending, cancellationToken);
        }

        return completion is null ? ValueTask.CompletedTask : new ValueTask(Wait(completion.Task, cancellationToken));
    }

    /// <inheritdoc />
    public async Task<RequestRecord?> FindAsync(string requestId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(requestId);
        await using var connection = new SqliteConnection(_readConnectionString);
        await connection.OpenAsync(cancellationToken);
        SqliteLedgerSchema.ConfigureConnection(connection);
        return await SqliteLedgerReader.FindAsync(connection, requestId, cancellationToken);
    }

    /// <summary>Creates the file and its directory if missing, migrates the schema and starts the writer loop.</summary>
    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (_loop is not null)
        {
            throw new InvalidOperationException("The request ledger has already been started.");
        }

        Directory.CreateDirectory(Path.GetDirectoryName(_databasePath)!);
        using (var connection = new SqliteConnection(_writeConnectionString))
        {
            connection.Open();
            SqliteLedgerSchema.ConfigureConnection(connection);
            var (from, to) = SqliteLedgerSchema.Apply(connection);
            Log.Started(_logger, _databasePath, from, to, _acknowledged ? "Acknowledged" : "Async");
        }

        _writer = SqliteLedgerWriter.Open(_writeConnectionString);

        // The loop does synchronous SQLite I/O, so it runs on the pool rather than in the caller of StartAsync;
        // it never throws, and StopAsync/DisposeAsync await it.
        _loop = Task.Run(WriteLoopAsync, CancellationToken.None);
        _retentionTimer = _time.CreateTimer(static state => ((SqliteRequestLedger)state!).OnRetentionDue(),
            this, TimeSpan.Zero, RetentionInterval);
        return Task.CompletedTask;
    }

    /// <summary>Stops taking rows, and waits until everything queued is written (or <paramref name="cancellationToken"/> fires).</summary>
    public Task StopAsync(CancellationToken cancellationToken)
    {
        _stopping.Cancel();
        _queue.Writer.TryComplete();
        _retentionTimer?.Dispose();
        return _loop?.WaitAsync(cancellationToken) ?? Task.CompletedTask;
    }

    /// <summary>Like <see cref="StopAsync"/>, without a time limit; then releases the file.</summary>
    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
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
                pending.Completion?.TrySetException(new ObjectDisposedException(nameof(SqliteRequestLedger)));
            }
        }

        using var connection = new SqliteConnection(_readConnectionString);
        SqliteConnection.ClearPool(connection);
    }

    private async ValueTask EnqueueAndWaitAsync(PendingRecord pending, CancellationToken cancellationToken)
    {
        await _queue.Writer.WriteAsync(pending, cancellationToken);
        if (pending.Completion is not null)
        {
            await Wait(pending.Completion.Task, cancellationToken);
        }
    }

    // A caller that gives up still leaves its row queued: it is written all the same.
    private static Task Wait(Task commit, CancellationToken cancellationToken) =>
        cancellationToken.CanBeCanceled ? commit.WaitAsync(cancellationToken) : commit;

    private readonly record struct PendingRecord(RequestRecord? Record, TaskCompletionSource? Completion);
}
