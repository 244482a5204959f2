using System.Buffers;
using Dispatcher.Grains.Providers;
using Dispatcher.Grains.Routing;
using Dispatcher.Providers;
using Dispatcher.Providers.Chat;

namespace Dispatcher.Grains.Dispatch;

/// <summary>
/// A stream past its commit point: the chunks held until then (SSE-framed, ready to write), then the live chunks of
/// the serving attempt under its idle and total timeouts. When it ends it reports to the provider, prices the
/// attempt and adds it to the trail; <see cref="WriteTrailer"/> then writes the final <c>dispatcher</c> chunk and
/// <c>[DONE]</c>, or the typed error event of a stream that failed after its commit point.
/// </summary>
public sealed partial class StreamingAnswer : IAsyncDisposable
{
    private IChunkSource _source;
    private ProviderLease _lease;
    private AttemptWatchdog _watchdog;
    private readonly PooledBuffer _held;
    private readonly DecisionTrail _trail;
    private readonly StreamTrailer _trailer;
    private readonly TimeProvider _time;
    private long _startedAt;
    private ChatRequest _request;
    private TokenUsage? _usage;
    private bool _completed;

    internal StreamingAnswer(StreamStart start, ModelDeployment deployment, ProviderLease lease, DecisionTrail trail,
        StreamTrailer trailer, TimeProvider time, long startedAt, ChatRequest request)
    {
        _request = request;
        _source = start.Source;
        _watchdog = start.Watchdog;
        _held = start.Held;
        _usage = start.Usage;
        Deployment = deployment;
        _lease = lease;
        _trail = trail;
        _trailer = trailer;
        _time = time;
        _startedAt = startedAt;
        StartThroughputGuard();
        if (start.Finished)
        {
            Complete(FailureKind.None, null);
        }
    }

    /// <summary>The deployment serving the stream (after a continuation, the one that continued it).</summary>
    public ModelDeployment Deployment { get; private set; }

    /// <summary>Chunks held until the commit point, SSE-framed, including the committing chunk.</summary>
    public ReadOnlyMemory<byte> Held => _held.WrittenMemory;

    /// <summary>The JSON of the chunk last read.</summary>
    public ReadOnlyMemory<byte> Chunk => _rewritten ?? _source.Chunk;

    /// <summary>True when the next chunk is already here: hold the flush until it is written too.</summary>
    public bool HasBufferedChunk => !_completed && (_source.HasBufferedChunk || PendingChunks > 0);

    /// <summary>Usage reported so far (the upstream's last usage chunk, once read).</summary>
    public TokenUsage Usage => Sum(_earlierUsage, _usage ?? default);

    /// <summary>True once the stream has ended and its attempt is in the trail (a guarded stream is, before its first byte).</summary>
    public bool IsCompleted => _completed;

    /// <summary>How the stream ended (<see cref="FailureKind.None"/> = completed), once it has.</summary>
    public FailureKind EndKind { get; private set; }

    /// <summary>Reads the next chunk to forward; usage-only chunks are absorbed (the trailer carries usage).</summary>
    public async ValueTask<ChunkReadStatus> ReadAsync()
    {
        if (_completed)
        {
            return EndKind == FailureKind.None ? ChunkReadStatus.Done : ChunkReadStatus.Failed;
        }

        while (true)
        {
            if (TryTakePending())
            {
                return ChunkReadStatus.Chunk;
            }

            if (FinishedAfterPending)
            {
                Complete(FailureKind.None, null);
                return ChunkReadStatus.Done;
            }

            ChunkReadStatus status;
            try
            {
                status = await _source.ReadAsync(_watchdog.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                var kind = _watchdog.Expired == FailureKind.None ? FailureKind.Cancelled : _watchdog.Expired;
                var stalled = _watchdog.TooSlow ? UpstreamFailure.Of(kind, "the stream's throughput fell below the model's MinTokensPerSecond") : null;
                if (await TryContinueAsync(kind, stalled).ConfigureAwait(false))
                {
                    continue;
                }

                Complete(kind, stalled);
                return ChunkReadStatus.Failed;
            }

            switch (status)
            {
                case ChunkReadStatus.Chunk:
                    _watchdog.Kick();
                    _usage = _source.Facts.Usage ?? _usage;
                    if (_source.Facts.IsUsageOnly || !Observe(_source.Chunk.Span, _source.Facts.HasToolCalls))
                    {
                        continue;
                    }

                    return ChunkReadStatus.Chunk;
                case ChunkReadStatus.Done:
                    Complete(FailureKind.None, null);
                    return ChunkReadStatus.Done;
                case ChunkReadStatus.Failed:
                default:
                    if (await TryContinueAsync(_source.Failure?.Kind ?? FailureKind.StreamCut, _source.Failure).ConfigureAwait(false))
                    {
                        continue;
                    }

                    Complete(_source.Failure?.Kind ?? FailureKind.StreamCut, _source.Failure);
                    return ChunkReadStatus.Failed;
            }
        }
    }

    /// <summary>Writes the end of the stream: the dispatcher chunk and [DONE], or the typed error event.</summary>
    public void WriteTrailer(IBufferWriter<byte> output)
    {
        if (!_completed)
        {
            Complete(FailureKind.Cancelled, null);
        }

        _trailer.Write(output, _trail, Deployment, _usage is null && _servedModels is null ? null : Usage, EndKind, _servedModels);
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (!_completed)
        {
            Complete(FailureKind.Cancelled, null);
        }

        _watchdog.Dispose();
        await _source.DisposeAsync().ConfigureAwait(false);
        _held.Dispose();
        DisposeContinuation();
    }

    private void Complete(FailureKind kind, UpstreamFailure? failure)
    {
        if (_completed)
        {
            return;
        }

        _completed = true;
        EndKind = kind;
        var usage = _usage ?? default;
        Deployment.Tokens.Calibrate(_request, usage.PromptTokens);
        Deployment.Provider.Report(_lease, kind, failure?.RetryAfter, default, usage.TotalTokens);
        var latency = _time.GetElapsedTime(_startedAt).TotalMilliseconds;
        var action = kind == FailureKind.None ? DispatchAction.Served : DispatchAction.FailFast;
        var detail = kind == FailureKind.None ? ServedDetail : failure?.Detail ?? "the stream failed after its first content was sent";
        if (DispatchEngine.BlamesDeployment(kind))
        {
            Deployment.Health.RecordFailure();
        }

        _trail.NoteServed(Deployment, null, usage);
        _trail.Add(new AttemptRecord(Deployment.Alias, Deployment.Provider.Name, _lease.Key.Id, kind, action,
            failure?.StatusCode ?? 200, latency, Deployment.Cost(usage), detail));
    }
}
