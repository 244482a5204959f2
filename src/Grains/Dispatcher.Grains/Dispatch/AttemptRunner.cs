using Dispatcher.Grains.Contracts;
using Dispatcher.Grains.Providers;
using Dispatcher.Grains.Routing;
using Dispatcher.Providers;
using Polly.Timeout;

namespace Dispatcher.Grains.Dispatch;

/// <summary>
/// Makes one attempt through the deployment's Polly pipeline. A plain call is bounded by the total timeout. A stream
/// is read, holding its chunks, until the commit point (the first chunk with content, refusal or tool calls) under
/// the first-token timeout; from there the <see cref="AttemptWatchdog"/> bounds it by idle and total timeouts.
/// </summary>
internal sealed partial class AttemptRunner
{
    // Chunks before the commit point are held in memory; an upstream that never commits (endless empty deltas) must
    // not hold them without bound. 16 MiB leaves room for long reasoning streams that precede the first content.
    private const int MaxHeldBytes = 16 * 1024 * 1024;

    private readonly TimeProvider _time;

    public AttemptRunner(TimeProvider time) => _time = time;

    public Task<AttemptOutcome> RunAsync(DispatchRequest request, ModelDeployment candidate, ProviderLease lease, CancellationToken clientGone)
    {
        var call = new UpstreamCall(request.Request, candidate.Upstream, lease.Key.Secret);
        var filterFallback = request.Route.Options.ContentFilterFallback;
        return request.Request.Stream
            ? StreamAsync(call, candidate, filterFallback, request.Contract, clientGone)
            : CompleteAsync(call, candidate, filterFallback, request.Contract, clientGone);
    }

    private static async Task<AttemptOutcome> CompleteAsync(UpstreamCall call, ModelDeployment candidate, bool filterFallback, OutputContract? contract,
        CancellationToken clientGone)
    {
        CompletionResult result;
        try
        {
            result = await candidate.CompletionPipeline.ExecuteAsync(
                static (state, token) => new ValueTask<CompletionResult>(state.Adapter.CompleteAsync(state.Call, token)),
                (Adapter: candidate.Provider.Adapter, Call: call),
                clientGone).ConfigureAwait(false);
        }
        catch (TimeoutRejectedException)
        {
            return AttemptOutcome.Failed(FailureKind.Timeout, "no answer within the model's total timeout");
        }
        catch (OperationCanceledException) when (clientGone.IsCancellationRequested)
        {
            return AttemptOutcome.Failed(FailureKind.Cancelled, "the client went away");
        }

        if (result.Failure is not null)
        {
            return new AttemptOutcome(result.Failure, result.RateLimits);
        }

        if (filterFallback && result.Facts.FinishReason == FinishReasons.ContentFilter)
        {
            result.Dispose();
            return AttemptOutcome.Failed(FailureKind.ContentFiltered, "the upstream's content filter withheld the answer");
        }

        return contract is null ? new AttemptOutcome(null, result.RateLimits) { Completion = result } : Guard(contract, result);
    }

    private async Task<AttemptOutcome> StreamAsync(UpstreamCall call, ModelDeployment candidate, bool filterFallback, OutputContract? contract,
        CancellationToken clientGone)
    {
        var watchdog = new AttemptWatchdog(_time, candidate.Options.Timeouts.Total, clientGone);
        using var output = contract is null ? null : new AnswerOutput();
        try
        {
            var outcome = await candidate.StreamStartPipeline.ExecuteAsync(
                static (state, token) => new ValueTask<AttemptOutcome>(ReadToCommitPointAsync(state.Call, state.Adapter, state.Watchdog, state.FilterFallback, state.Output, token)),
                (Call: call, Adapter: candidate.Provider.Adapter, Watchdog: watchdog, FilterFallback: filterFallback, Output: output),
                clientGone).ConfigureAwait(false);
            if (outcome.Stream is null)
            {
                watchdog.Dispose();
            }
            else
            {
                watchdog.StartIdleTimeout(candidate.Options.Timeouts.Idle);
                if (output is not null)
                {
                    outcome = await HoldToEndAsync(outcome, contract!, output, watchdog).ConfigureAwait(false);
                }
            }

            return outcome;
        }
        catch (TimeoutRejectedException)
        {
            watchdog.Dispose();
            return AttemptOutcome.Failed(FailureKind.FirstTokenTimeout, "no content within the model's first-token timeout");
        }
        catch (OperationCanceledException)
        {
            var kind = watchdog.Expired == FailureKind.None ? FailureKind.Cancelled : watchdog.Expired;
            watchdog.Dispose();
            return AttemptOutcome.Failed(kind, kind == FailureKind.Cancelled ? "the client went away" : "the attempt timed out");
        }
    }

    private static async Task<AttemptOutcome> ReadToCommitPointAsync(UpstreamCall call, IChatAdapter adapter, AttemptWatchdog watchdog,
        bool filterFallback, AnswerOutput? output, CancellationToken firstTokenDeadline)
    {
        // Polly's token bounds only the wait for the commit point; all I/O runs on the watchdog's token, which the
        // attempt owns for its whole life (Polly recycles its token sources once the callback returns).
        await using var deadline = firstTokenDeadline.Register(static state => ((AttemptWatchdog)state!).Cancel(), watchdog).ConfigureAwait(false);
        var token = watchdog.Token;
        var open = await adapter.OpenStreamAsync(call, token).ConfigureAwait(false);
        if (open.Source is not { } source)
        {
            return new AttemptOutcome(open.Failure, open.RateLimits);
        }

        var held = new PooledBuffer(1024);
        TokenUsage? usage = null;
        string? chunkId = null, upstreamModel = null;
        try
        {
            while (true)
            {
                var status = await source.ReadAsync(token).ConfigureAwait(false);
                if (status == ChunkReadStatus.Failed)
                {
                    await DisposeAsync(source, held).ConfigureAwait(false);
                    return new AttemptOutcome(source.Failure, open.RateLimits);
                }

                var committed = status == ChunkReadStatus.Done;
                if (status == ChunkReadStatus.Chunk)
                {
                    var facts = source.Facts;
                    usage = facts.Usage ?? usage;
                    chunkId ??= facts.Id;
                    upstreamModel ??= facts.Model;
                    if (facts.IsUsageOnly)
                    {
                        continue;
                    }

                    if (filterFallback && facts.FinishReason == FinishReasons.ContentFilter && !facts.HasOutput)
                    {
                        await DisposeAsync(source, held).ConfigureAwait(false);
                        return AttemptOutcome.Failed(FailureKind.ContentFiltered, "the upstream's content filter withheld the answer");
                    }

                    output?.AddChunk(source.Chunk.Span);
                    held.Write("data: "u8);
                    held.Write(source.Chunk.Span);
                    held.Write("\n\n"u8);
                    committed = facts.HasOutput;
                    if (!committed && held.Length > MaxHeldBytes)
                    {
                        await DisposeAsync(source, held).ConfigureAwait(false);
                        return AttemptOutcome.Failed(FailureKind.InvalidResponse, "the upstream sent more than 16 MiB of chunks before any content");
                    }
                }

                if (committed)
                {
                    var start = new StreamStart(source, watchdog, held, usage, Finished: status == ChunkReadStatus.Done);
                    return new AttemptOutcome(null, open.RateLimits) { Stream = start, ChunkId = chunkId, UpstreamModel = upstreamModel };
                }
            }
        }
        catch
        {
            await DisposeAsync(source, held).ConfigureAwait(false);
            throw;
        }
    }

    private static async ValueTask DisposeAsync(IChunkSource source, PooledBuffer held)
    {
        held.Dispose();
        await source.DisposeAsync().ConfigureAwait(false);
    }
}
