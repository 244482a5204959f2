using Dispatcher.Grains.Contracts;
using Dispatcher.Providers;

namespace Dispatcher.Grains.Dispatch;

// Guarded attempts (the request has an OutputContract): the answer is checked before the client sees any of it. A
// plain answer is checked whole; a stream's commit point moves to its end: past its first content (reached under the
// first-token timeout) it is read to [DONE] under the idle and total timeouts, every chunk held, then checked. A
// breach is a schema_violation attempt, still billed for its usage, and carries the turn that can repair it.
internal sealed partial class AttemptRunner
{
    private static AttemptOutcome Guard(OutputContract contract, CompletionResult result)
    {
        using var output = new AnswerOutput();
        output.AddCompletion(result.Body!.WrittenSpan);
        if (contract.Check(output) is not { } breach)
        {
            return new AttemptOutcome(null, result.RateLimits) { Completion = result };
        }

        var usage = result.Facts.Usage;
        result.Dispose();
        return new AttemptOutcome(UpstreamFailure.Of(FailureKind.SchemaViolation, breach.Detail), result.RateLimits)
        {
            SpentUsage = usage,
            Breach = breach,
        };
    }

    private static async Task<AttemptOutcome> HoldToEndAsync(AttemptOutcome committed, OutputContract contract, AnswerOutput output, AttemptWatchdog watchdog)
    {
        var start = committed.Stream!;
        var source = start.Source;
        var usage = start.Usage;
        var finished = start.Finished;
        while (!finished)
        {
            ChunkReadStatus status;
            try
            {
                status = await source.ReadAsync(watchdog.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                var kind = watchdog.Expired == FailureKind.None ? FailureKind.Cancelled : watchdog.Expired;
                return await AbandonAsync(start, watchdog, UpstreamFailure.Of(kind, "the guarded stream did not finish"), usage, null).ConfigureAwait(false);
            }

            if (status == ChunkReadStatus.Failed)
            {
                var failure = source.Failure ?? UpstreamFailure.Of(FailureKind.StreamCut, "the guarded stream broke before its end");
                return await AbandonAsync(start, watchdog, failure, usage, null).ConfigureAwait(false);
            }

            finished = status == ChunkReadStatus.Done;
            if (finished)
            {
                break;
            }

            watchdog.Kick();
            var facts = source.Facts;
            usage = facts.Usage ?? usage;
            if (facts.IsUsageOnly)
            {
                continue;
            }

            output.AddChunk(source.Chunk.Span);
            start.Held.Write("data: "u8);
            start.Held.Write(source.Chunk.Span);
            start.Held.Write("\n\n"u8);
        }

        if (contract.Check(output) is { } breach)
        {
            return await AbandonAsync(start, watchdog, UpstreamFailure.Of(FailureKind.SchemaViolation, breach.Detail), usage, breach).ConfigureAwait(false);
        }

        return committed with { Stream = start with { Usage = usage, Finished = true } };
    }

    private static async Task<AttemptOutcome> AbandonAsync(StreamStart start, AttemptWatchdog watchdog, UpstreamFailure failure, TokenUsage? usage,
        ContractBreach? breach)
    {
        // Nothing of this attempt reached the client: it fails as if before a commit point, and the next one may serve.
        await DisposeAsync(start.Source, start.Held).ConfigureAwait(false);
        watchdog.Dispose();
        return new AttemptOutcome(failure, default) { SpentUsage = usage, Breach = breach };
    }
}
