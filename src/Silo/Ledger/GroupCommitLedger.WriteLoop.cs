using System.Threading.Channels;
using Dispatcher.Grains.Ledger;

namespace Dispatcher.Silo.Ledger;

// The writer loop: the only code that calls the store's write methods.
internal partial class GroupCommitLedger
{
    private static readonly TimeSpan FirstRetryDelay = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan MaxRetryDelay = TimeSpan.FromSeconds(5);

    /// <summary>The wait before retry number <paramref name="retry"/> (0-based) of a batch the store could not take: 0.1 s doubling to 5 s.</summary>
    internal static TimeSpan RetryDelay(int retry) =>
        retry >= 6 ? MaxRetryDelay : TimeSpan.FromTicks(Math.Min(FirstRetryDelay.Ticks << retry, MaxRetryDelay.Ticks));

    private async Task WriteLoopAsync()
    {
        var reader = _queue.Reader;
        var batch = new List<PendingRecord>(MaxBatchSize);
        var rows = new List<RequestRecord>(MaxBatchSize);
        while (await reader.WaitToReadAsync())
        {
            Drain(reader, batch);
            if (!_acknowledged && batch.Count is > 0 and < MaxBatchSize)
            {
                await GatherAsync(reader, batch);
            }

            // Before the batch: rows queued after a tick see its deletions once they are acknowledged.
            if (Interlocked.Exchange(ref _retentionDue, 0) == 1)
            {
                await DeleteExpiredAsync();
            }

            if (batch.Count > 0)
            {
                await CommitAsync(batch, rows);
                batch.Clear();
                rows.Clear();
            }
        }
    }

    /// <summary>
    /// Async durability: keeps taking rows as they come until the batch is full, the gather window has passed or the
    /// ledger is stopping. It never sleeps while rows wait, so a full queue always drains.
    /// </summary>
    private async Task GatherAsync(ChannelReader<PendingRecord> reader, List<PendingRecord> batch)
    {
        var windowEnd = Task.Delay(AsyncGatherWindow, _time, _stopping.Token);
        while (batch.Count < MaxBatchSize)
        {
            var more = reader.WaitToReadAsync().AsTask();
            if (await Task.WhenAny(more, windowEnd) == windowEnd || !await more)
            {
                return;
            }

            Drain(reader, batch);
        }
    }

    private static void Drain(ChannelReader<PendingRecord> reader, List<PendingRecord> batch)
    {
        while (batch.Count < MaxBatchSize && reader.TryRead(out var pending))
        {
            if (pending.Record is not null)
            {
                batch.Add(pending);
            }
        }
    }

    /// <summary>Writes the batch, retrying while the store is unreachable; never throws.</summary>
    private async Task CommitAsync(List<PendingRecord> batch, List<RequestRecord> rows)
    {
        for (var i = 0; i < batch.Count; i++)
        {
            rows.Add(batch[i].Record!);
        }

        var retries = 0;
        var outageStarted = 0L;
        while (true)
        {
            try
            {
                if (!_migrated)
                {
                    await MigrateAsync(CancellationToken.None);
                }

                await _store.WriteBatchAsync(rows, CancellationToken.None);
                break;
            }
            catch (Exception e) when (_store.IsTransient(e) && !_abandon.IsCancellationRequested)
            {
                if (retries == 0)
                {
                    outageStarted = _time.GetTimestamp();
                    Log.StoreUnavailable(_logger, _store.Description, batch.Count, e);
                }

                await DelayRetryAsync(RetryDelay(retries++));
            }
            catch (Exception e)
            {
                // Whatever failed (a row the store rejects, disk full, a lock held too long, or a node stopping
                // while the store is away), the loop must live on; the callers learn that their rows are not stored.
                var abandoned = _store.IsTransient(e);
                if (abandoned)
                {
                    Log.RowsAbandoned(_logger, _store.Description, batch.Count, e);
                }
                else
                {
                    Log.BatchFailed(_logger, batch.Count, _acknowledged ? "Acknowledged" : "Async", e);
                }

                for (var i = 0; i < batch.Count; i++)
                {
                    batch[i].Acknowledgement?.Fail(new IOException(abandoned
                        ? $"The request ledger stopped before {_store.Description} could store request '{rows[i].RequestId}'."
                        : $"The request ledger could not store request '{rows[i].RequestId}'.", e));
                }

                return;
            }
        }

        if (retries > 0)
        {
            Log.StoreRecovered(_logger, _store.Description, _time.GetElapsedTime(outageStarted).TotalSeconds, retries, batch.Count);
        }

        Interlocked.Increment(ref _committedBatches);
        Interlocked.Exchange(ref _committed, null)?.TrySetResult();
        for (var i = 0; i < batch.Count; i++)
        {
            batch[i].Acknowledgement?.Commit();
        }
    }

    private async Task DelayRetryAsync(TimeSpan delay)
    {
        try
        {
            await Task.Delay(delay, _time, _abandon.Token);
        }
        catch (OperationCanceledException)
        {
            // Abandoned (the node is stopping for good): one last try, then the batch fails.
        }
    }

    private async Task DeleteExpiredAsync()
    {
        var now = _time.GetUtcNow();
        if (!_migrated || _options.Retention >= now - DateTimeOffset.UnixEpoch)
        {
            return; // no table yet, or no row is that old (and the subtraction would overflow for TimeSpan.MaxValue)
        }

        var cutoff = now - _options.Retention;
        try
        {
            var (requests, spend) = await _store.DeleteOlderThanAsync(cutoff, CancellationToken.None);
            if (requests + spend > 0)
            {
                Log.RetentionDeleted(_logger, requests, spend, cutoff);
            }
        }
        catch (Exception e)
        {
            Log.RetentionFailed(_logger, cutoff, e);
        }
    }

    private void OnRetentionDue()
    {
        Volatile.Write(ref _retentionDue, 1);
        _queue.Writer.TryWrite(default); // wakes an idle loop; when the queue is full the loop is awake anyway
    }
}
