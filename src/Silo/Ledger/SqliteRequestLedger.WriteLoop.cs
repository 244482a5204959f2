using System.Threading.Channels;
using Microsoft.Data.Sqlite;

namespace Dispatcher.Silo.Ledger;

// The writer loop: the only code that touches the write connection.
internal sealed partial class SqliteRequestLedger
{
    private async Task WriteLoopAsync()
    {
        var reader = _queue.Reader;
        var batch = new List<PendingRecord>(MaxBatchSize);
        try
        {
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
                    DeleteExpired();
                }

                if (batch.Count > 0)
                {
                    WriteBatch(batch);
                    batch.Clear();
                }
            }
        }
        finally
        {
            _writer?.Dispose();
            _writer = null;
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

    private void WriteBatch(List<PendingRecord> batch)
    {
        try
        {
            // After a failure the connection is reopened: a broken handle must not fail every later batch.
            _writer ??= SqliteLedgerWriter.Open(_writeConnectionString);
            _writer.Begin();
            for (var i = 0; i < batch.Count; i++)
            {
                _writer.Add(batch[i].Record!);
            }

            _writer.Commit();
        }
        catch (Exception e)
        {
            // Whatever failed (disk full, lock timeout, a row the JSON writer rejects), the loop must live on.
            Log.BatchFailed(_logger, batch.Count, _acknowledged ? "Acknowledged" : "Async", e);
            DiscardWriter();
            for (var i = 0; i < batch.Count; i++)
            {
                batch[i].Completion?.TrySetException(
                    new IOException($"The request ledger could not store request '{batch[i].Record!.RequestId}'.", e));
            }

            return;
        }

        Interlocked.Increment(ref _committedBatches);
        for (var i = 0; i < batch.Count; i++)
        {
            batch[i].Completion?.TrySetResult();
        }
    }

    private void DeleteExpired()
    {
        var now = _time.GetUtcNow();
        if (_options.Retention >= now - DateTimeOffset.UnixEpoch)
        {
            return; // no row is that old, and the subtraction would overflow for TimeSpan.MaxValue
        }

        var cutoff = now - _options.Retention;
        try
        {
            _writer ??= SqliteLedgerWriter.Open(_writeConnectionString);
            var (requests, spend) = _writer.DeleteOlderThan(cutoff);
            if (requests + spend > 0)
            {
                Log.RetentionDeleted(_logger, requests, spend, cutoff);
            }
        }
        catch (Exception e)
        {
            Log.RetentionFailed(_logger, cutoff, e);
            DiscardWriter();
        }
    }

    private void DiscardWriter()
    {
        try
        {
            _writer?.Rollback();
        }
        catch (SqliteException)
        {
            // The connection is going away; what matters is that the transaction does not survive it.
        }

        _writer?.Dispose();
        _writer = null;
    }

    private void OnRetentionDue()
    {
        Volatile.Write(ref _retentionDue, 1);
        _queue.Writer.TryWrite(default); // wakes an idle loop; when the queue is full the loop is awake anyway
    }
}
