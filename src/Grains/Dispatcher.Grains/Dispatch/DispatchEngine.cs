using Dispatcher.Grains.Configuration;
using Dispatcher.Grains.Conversations;
using Dispatcher.Grains.Pricing;
using Dispatcher.Grains.Providers;
using Dispatcher.Grains.Routing;
using Dispatcher.Providers;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Dispatcher.Grains.Dispatch;

/// <summary>
/// Walks a request's fallback chain: for each candidate, ask its provider actor for a lease (skipping it, with the
/// reason, when its breaker is open or its budget spent), make one attempt, classify, and let
/// <see cref="DispatchPolicy"/> decide what comes next within the bounds of <see cref="RetryOptions"/>. Every upstream
/// call and every skip is one attempt in the trail. Retries are decisions made here, never hidden in the HTTP layer.
/// </summary>
public sealed partial class DispatchEngine
{
    private readonly RetryOptions _retry;
    private readonly TimeProvider _time;
    private readonly ILogger<DispatchEngine> _logger;
    private readonly AttemptRunner _runner;
    private readonly ConversationDirectory _conversations;

    /// <summary>Creates the engine; <paramref name="conversations"/> null = pins kept in this process only.</summary>
    public DispatchEngine(IOptions<DispatcherOptions> options, TimeProvider time, ILogger<DispatchEngine> logger,
        ConversationDirectory? conversations = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _retry = options.Value.Retry;
        _time = time;
        _logger = logger;
        _runner = new AttemptRunner(time);
        _conversations = conversations ?? new ConversationDirectory(new InProcessConversationPinStore(time), time);
    }

    /// <summary>Dispatches <paramref name="request"/>; <paramref name="clientGone"/> cancels everything at once.</summary>
    public async Task<DispatchResult> DispatchAsync(DispatchRequest request, CancellationToken clientGone)
    {
        ArgumentNullException.ThrowIfNull(request);
        var trail = new DecisionTrail();
        var route = request.Route;
        var startedAt = _time.GetTimestamp();
        var deadline = route.Options.Deadline;
        var plan = await OpenTurnAsync(request, clientGone).ConfigureAwait(false);
        var candidates = request.Strict ? 1 : plan.Chain.Count;
        var ceiling = request.MaxCostUsd ?? route.Options.MaxCostUsd;
        var lastKind = FailureKind.None;
        TimeSpan? shortestRetryAfter = null;
        long waited = 0;

        for (var pass = 0; ; pass++)
        {
            for (var c = 0; c < candidates; c++)
            {
                if (c == plan.HedgedIndex)
                {
                    continue;
                }

                var candidate = plan.Chain[c];
                var misfit = CandidateFit.Check(request.Request, candidate, out var misfitDetail);
                if (misfit == FailureKind.None && CostGuard.Refusal(request.Request, route, candidate, ceiling, trail.TotalCostUsd) is { } tooDear)
                {
                    (misfit, misfitDetail) = (FailureKind.CostCeiling, tooDear);
                }

                if (misfit != FailureKind.None)
                {
                    lastKind = misfit;
                    trail.Add(new AttemptRecord(candidate.Alias, candidate.Provider.Name, null, misfit, DispatchAction.NextCandidate, 0, 0, 0m, misfitDetail));
                    LogSkipped(request.RequestId, candidate.Alias, misfit.ToWireName());
                    continue;
                }

                var retriesLeft = _retry.SameCandidateRetries;
                var repairsLeft = route.Options.SchemaRepair ? 1 : 0;
                byte[]? repairTurn = null;
                while (true)
                {
                    if (trail.Count >= _retry.MaxAttemptsPerRequest)
                    {
                        return Failed(trail, lastKind, shortestRetryAfter, waited, attemptCapReached: true);
                    }

                    if (_time.GetElapsedTime(startedAt) >= deadline)
                    {
                        return Failed(trail, lastKind == FailureKind.None ? FailureKind.Timeout : lastKind, shortestRetryAfter, waited, false);
                    }

                    var estimatedTokens = candidate.Tokens.Estimate(request.Request) + (request.Request.MaxOutputTokens ?? 0);
                    var acquired = candidate.Provider.TryAcquire(candidate.Breaker, estimatedTokens);
                    if (!acquired.Granted)
                    {
                        lastKind = acquired.SkipReason;
                        shortestRetryAfter = Shortest(shortestRetryAfter, acquired.RetryAfter);
                        trail.Add(new AttemptRecord(candidate.Alias, candidate.Provider.Name, null, acquired.SkipReason,
                            DispatchAction.NextCandidate, 0, 0, 0m, SkipDetail(acquired.SkipReason)));
                        LogSkipped(request.RequestId, candidate.Alias, acquired.SkipReason.ToWireName());
                        break;
                    }

                    var attemptStarted = _time.GetTimestamp();
                    trail.BeginAttempt(candidate);
                    AttemptOutcome outcome;
                    using (var repaired = Repaired(request.Request, ref repairTurn))
                    {
                        // Disposed once the attempt returns: its body is sent, and nothing of the answer points into it.
                        var attempt = repaired is null ? request : request with { Request = repaired };
                        outcome = await RunAttemptAsync(attempt, plan, c, candidate, acquired.Lease, trail, clientGone).ConfigureAwait(false);
                    }
                    waited += _time.GetTimestamp() - attemptStarted;
                    if (outcome.Failure is null)
                    {
                        var (servedBy, lease, servedStarted) = plan.HedgeWinner ?? (candidate, acquired.Lease, attemptStarted);
                        return await CloseTurnAsync(request, plan, Served(request, trail, servedBy, lease, outcome, servedStarted, waited),
                            servedStarted, clientGone).ConfigureAwait(false);
                    }

                    var failure = outcome.Failure;
                    lastKind = failure.Kind;
                    if (BlamesDeployment(failure.Kind))
                    {
                        candidate.Health.RecordFailure();
                    }

                    if (candidate.Provider.Report(acquired.Lease, failure.Kind, failure.RetryAfter, outcome.RateLimits, outcome.SpentUsage?.TotalTokens ?? 0))
                    {
                        LogBreakerChanged(candidate.Provider.Name, candidate.Upstream.Name, candidate.Breaker.State.ToString());
                    }

                    var (action, wait) = Next(failure, candidate, route.Options.ContentFilterFallback, ref retriesLeft);
                    if (RepairTurn(outcome, ref repairsLeft) is { } turn)
                    {
                        (action, wait, repairTurn) = (DispatchAction.RetrySame, TimeSpan.Zero, turn);
                    }

                    trail.Add(new AttemptRecord(candidate.Alias, candidate.Provider.Name, acquired.Lease.Key.Id, failure.Kind, action,
                        failure.StatusCode, _time.GetElapsedTime(attemptStarted).TotalMilliseconds, candidate.Cost(outcome.SpentUsage ?? default), failure.Detail));
                    LogAttemptFailed(request.RequestId, candidate.Alias, candidate.Provider.Name, failure.Kind.ToWireName(), failure.StatusCode, action.ToWireName());
                    if (failure.Kind is FailureKind.RateLimited or FailureKind.QuotaExhausted && failure.RetryAfter is { } upstreamWait)
                    {
                        shortestRetryAfter = Shortest(shortestRetryAfter, upstreamWait);
                    }

                    if (action == DispatchAction.FailFast)
                    {
                        return Failed(trail, failure.Kind, shortestRetryAfter, waited, false);
                    }

                    if (action == DispatchAction.NextCandidate)
                    {
                        break;
                    }

                    if (wait > TimeSpan.Zero)
                    {
                        var waitStarted = _time.GetTimestamp();
                        try
                        {
                            await Task.Delay(wait, _time, clientGone).ConfigureAwait(false);
                        }
                        catch (OperationCanceledException)
                        {
                            return Failed(trail, FailureKind.Cancelled, shortestRetryAfter, waited, false);
                        }

                        waited += _time.GetTimestamp() - waitStarted;
                    }
                }
            }


            // Every candidate is cooling down and the earliest recovers soon: wait for it once rather than fail.
            var recovery = shortestRetryAfter ?? TimeSpan.MaxValue;
            if (pass > 0 || !OnlyCoolingSkips(trail) || recovery > _retry.MaxRecoveryWait
                || _time.GetElapsedTime(startedAt) + recovery >= deadline)
            {
                break;
            }

            var recoveryStarted = _time.GetTimestamp();
            try
            {
                await Task.Delay(recovery, _time, clientGone).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return Failed(trail, FailureKind.Cancelled, shortestRetryAfter, waited, false);
            }

            waited += _time.GetTimestamp() - recoveryStarted;
            shortestRetryAfter = null;
        }

        return Failed(trail, lastKind, shortestRetryAfter, waited, attemptCapReached: false);
    }

    /// <summary>Applies the bounds to the policy's choice: retries left, other keys, Retry-After within the limit.</summary>
    private (DispatchAction Action, TimeSpan Wait) Next(UpstreamFailure failure, ModelDeployment candidate, bool contentFilterFallback, ref int retriesLeft)
    {
        var action = DispatchPolicy.Decide(failure.Kind, contentFilterFallback);
        if (failure.Kind == FailureKind.ContentFiltered)
        {
            return (action, TimeSpan.Zero);
        }

        if (action == DispatchAction.RotateKey)
        {
            if (candidate.Provider.HasUsableKey())
            {
                return (DispatchAction.RotateKey, TimeSpan.Zero);
            }

            // No other key: a short Retry-After on a rate limit is worth waiting for once; anything else moves on.
            action = failure.Kind == FailureKind.RateLimited ? DispatchAction.RetrySame : DispatchAction.NextCandidate;
        }

        if (action != DispatchAction.RetrySame)
        {
            return (action, TimeSpan.Zero);
        }

        var wait = failure.RetryAfter ?? TimeSpan.Zero;
        if (retriesLeft <= 0 || wait > _retry.MaxRetryAfter)
        {
            return (DispatchAction.NextCandidate, TimeSpan.Zero);
        }

        retriesLeft--;
        return (DispatchAction.RetrySame, wait);
    }

    private DispatchResult Served(DispatchRequest request, DecisionTrail trail, ModelDeployment candidate, ProviderLease lease,
        AttemptOutcome outcome, long attemptStarted, long waited)
    {
        if (outcome.Completion is { } completion)
        {
            var usage = completion.Facts.Usage ?? default;
            candidate.Tokens.Calibrate(request.Request, usage.PromptTokens);
            candidate.Provider.Report(lease, FailureKind.None, null, completion.RateLimits, usage.TotalTokens);
            trail.NoteServed(candidate, completion.Facts.Model, usage);
            trail.Add(new AttemptRecord(candidate.Alias, candidate.Provider.Name, lease.Key.Id, FailureKind.None, DispatchAction.Served,
                200, _time.GetElapsedTime(attemptStarted).TotalMilliseconds, candidate.Cost(usage), null));
            return new DispatchResult(trail, waited) { Served = candidate, Completion = completion };
        }

        var start = outcome.Stream!;
        trail.NoteServed(candidate, outcome.UpstreamModel, null);
        var trailer = new StreamTrailer(request.RequestId, request.Request.ClientWantsUsage, outcome.ChunkId, outcome.UpstreamModel,
            _time.GetUtcNow().ToUnixTimeSeconds());
        var stream = new StreamingAnswer(start, candidate, lease, trail, trailer, _time, attemptStarted, request.Request);
        return new DispatchResult(trail, waited) { Served = candidate, Stream = stream };
    }

    private static DispatchResult Failed(DecisionTrail trail, FailureKind lastKind, TimeSpan? retryAfter, long waited, bool attemptCapReached) =>
        new(trail, waited) { Failure = FailureVerdict.For(trail, lastKind, retryAfter, attemptCapReached) };

    private static bool OnlyCoolingSkips(DecisionTrail trail)
    {
        foreach (var attempt in trail.Attempts)
        {
            if (attempt.KeyId is not null || attempt.Kind is not (FailureKind.BreakerOpen or FailureKind.BudgetExhausted))
            {
                return false;
            }
        }

        return trail.Count > 0;
    }

    private static TimeSpan? Shortest(TimeSpan? current, TimeSpan candidate) =>
        current is { } value && value <= candidate ? value : candidate;

    private static string SkipDetail(FailureKind kind) => kind switch
    {
        FailureKind.BreakerOpen => "skipped: the deployment's circuit breaker is open",
        FailureKind.BudgetExhausted => "skipped: every key's rate budget is spent or cooling down",
        FailureKind.AuthFailed => "skipped: every key is parked after the upstream refused it",
        FailureKind.QuotaExhausted => "skipped: every key is parked with its quota exhausted",
        _ => "skipped",
    };
}
