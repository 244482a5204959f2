using Dispatcher.Grains.Pricing;
using Dispatcher.Grains.Providers;
using Dispatcher.Grains.Routing;
using Dispatcher.Providers;

namespace Dispatcher.Grains.Dispatch;

// Hedging, opt-in per route (HedgeAfter). Polly's hedging strategy is not used: it decides on the callback's
// result, so the winner would be the first *complete* answer, and its extra calls would be invisible to the trail.
// Here the winner is the first attempt to reach its commit point (the first token), each call is one attempt in the
// trail, and the loser is cancelled at once and recorded with its cost.
public sealed partial class DispatchEngine
{
    private Task<AttemptOutcome> RunAttemptAsync(DispatchRequest request, TurnPlan plan, int index, ModelDeployment candidate,
        ProviderLease lease, DecisionTrail trail, CancellationToken clientGone)
    {
        var options = request.Route.Options;
        var delay = plan.Hedged || request.Strict || options.HedgeAfter is null || trail.Count + 2 > _retry.MaxAttemptsPerRequest
            ? null
            : options.FixedHedgeDelay ?? (options.HedgesAtP95 && request.Request.Stream ? candidate.Health.FirstTokenP95() : null);
        if (delay is not { } threshold)
        {
            return _runner.RunAsync(request, candidate, lease, clientGone);
        }

        plan.Hedged = true;
        return RaceAsync(request, plan, index, candidate, lease, threshold, trail, clientGone);
    }

    private async Task<AttemptOutcome> RaceAsync(DispatchRequest request, TurnPlan plan, int index, ModelDeployment candidate,
        ProviderLease lease, TimeSpan threshold, DecisionTrail trail, CancellationToken clientGone)
    {
        var firstStarted = _time.GetTimestamp();
        using var thresholdCancellation = CancellationTokenSource.CreateLinkedTokenSource(clientGone);

        // The threshold's timer exists before the first call goes out, so a clock that moves right after it is seen.
        var thresholdPassed = Task.Delay(threshold, _time, thresholdCancellation.Token);
        var firstCancellation = CancellationTokenSource.CreateLinkedTokenSource(clientGone);
        var first = _runner.RunAsync(request, candidate, lease, firstCancellation.Token);
        if (await Task.WhenAny(first, thresholdPassed).ConfigureAwait(false) == first || clientGone.IsCancellationRequested
            || FindHedge(request, plan, index, trail) is not { } hedge)
        {
            await thresholdCancellation.CancelAsync().ConfigureAwait(false);
            return Keep(plan, await first.ConfigureAwait(false), firstCancellation);
        }

        trail.Note("hedge", $"{hedge.Candidate.Alias} started alongside {candidate.Alias} after {threshold.TotalMilliseconds:0} ms without a first token");
        LogHedgeStarted(request.RequestId, hedge.Candidate.Alias, candidate.Alias, threshold.TotalMilliseconds);
        var secondStarted = _time.GetTimestamp();
        var secondCancellation = CancellationTokenSource.CreateLinkedTokenSource(clientGone);
        var second = _runner.RunAsync(request, hedge.Candidate, hedge.Lease, secondCancellation.Token);
        var done = await Task.WhenAny(first, second).ConfigureAwait(false);
        var firstDone = done == first;
        var outcome = await done.ConfigureAwait(false);
        var (otherTask, otherCandidate, otherLease, otherStarted, otherCancellation) = firstDone
            ? (second, hedge.Candidate, hedge.Lease, secondStarted, secondCancellation)
            : (first, candidate, lease, firstStarted, firstCancellation);
        if (outcome.Failure is null)
        {
            // The first token wins: the other call ends now, and its prompt is paid for all the same.
            await otherCancellation.CancelAsync().ConfigureAwait(false);
            var lost = await otherTask.ConfigureAwait(false);
            await DiscardAsync(lost).ConfigureAwait(false);
            otherCandidate.Provider.Report(otherLease, FailureKind.Cancelled, null, lost.RateLimits, 0);
            var promptCost = otherCandidate.Cost(new TokenUsage(otherCandidate.Tokens.Estimate(request.Request), 0, 0, 0));
            trail.Add(new AttemptRecord(otherCandidate.Alias, otherCandidate.Provider.Name, otherLease.Key.Id, FailureKind.Cancelled,
                DispatchAction.Hedged, 0, _time.GetElapsedTime(otherStarted).TotalMilliseconds, promptCost,
                "hedge lost: cancelled when the other call produced its first token; cost estimated from the prompt"));
            otherCancellation.Dispose();
            if (!firstDone)
            {
                plan.HedgeWinner = (hedge.Candidate, hedge.Lease, secondStarted);
            }

            return Keep(plan, outcome, firstDone ? firstCancellation : secondCancellation);
        }

        var otherOutcome = await otherTask.ConfigureAwait(false);
        if (firstDone && otherOutcome.Failure is null)
        {
            // The first candidate failed and the hedge served: the loop only sees the winner, so the failure is recorded here.
            RecordFailed(trail, candidate, lease, outcome, firstStarted);
            firstCancellation.Dispose();
            plan.HedgeWinner = (hedge.Candidate, hedge.Lease, secondStarted);
            return Keep(plan, otherOutcome, secondCancellation);
        }

        // The hedge failed: recorded here; the first candidate's outcome goes back to the loop, which records it.
        RecordFailed(trail, hedge.Candidate, hedge.Lease, firstDone ? otherOutcome : outcome, secondStarted);
        secondCancellation.Dispose();
        return Keep(plan, firstDone ? outcome : otherOutcome, firstCancellation);
    }

    private static AttemptOutcome Keep(TurnPlan plan, AttemptOutcome outcome, CancellationTokenSource cancellation)
    {
        // A served stream keeps its attempt's cancellation (the client's disconnect reaches the upstream through it).
        if (outcome.Failure is null)
        {
            plan.WinnerCancellation = cancellation;
        }
        else
        {
            cancellation.Dispose();
        }

        return outcome;
    }

    private static (ModelDeployment Candidate, ProviderLease Lease)? FindHedge(DispatchRequest request, TurnPlan plan, int index, DecisionTrail trail)
    {
        var ceiling = request.MaxCostUsd ?? request.Route.Options.MaxCostUsd;
        for (var i = index + 1; i < plan.Chain.Count; i++)
        {
            var candidate = plan.Chain[i];
            if (CandidateFit.Check(request.Request, candidate, out _) != FailureKind.None
                || CostGuard.Refusal(request.Request, request.Route, candidate, ceiling, trail.TotalCostUsd) is not null)
            {
                continue;
            }

            var estimatedTokens = candidate.Tokens.Estimate(request.Request) + (request.Request.MaxOutputTokens ?? 0);
            var acquired = candidate.Provider.TryAcquire(candidate.Breaker, estimatedTokens);
            if (acquired.Granted)
            {
                plan.HedgedIndex = i;
                return (candidate, acquired.Lease);
            }
        }

        return null;
    }

    private void RecordFailed(DecisionTrail trail, ModelDeployment candidate, ProviderLease lease, AttemptOutcome outcome, long startedAt)
    {
        var failure = outcome.Failure!;
        candidate.Provider.Report(lease, failure.Kind, failure.RetryAfter, outcome.RateLimits, 0);
        if (BlamesDeployment(failure.Kind))
        {
            candidate.Health.RecordFailure();
        }

        trail.Add(new AttemptRecord(candidate.Alias, candidate.Provider.Name, lease.Key.Id, failure.Kind, DispatchAction.NextCandidate,
            failure.StatusCode, _time.GetElapsedTime(startedAt).TotalMilliseconds, 0m, failure.Detail));
    }

    private static async ValueTask DiscardAsync(AttemptOutcome outcome)
    {
        // Both calls may reach their first token together: the loser's answer is dropped unread.
        outcome.Completion?.Dispose();
        if (outcome.Stream is { } stream)
        {
            stream.Watchdog.Dispose();
            stream.Held.Dispose();
            await stream.Source.DisposeAsync().ConfigureAwait(false);
        }
    }
}
