using Dispatcher.Grains.Configuration;
using Dispatcher.Grains.Pricing;
using Dispatcher.Grains.Providers;
using Dispatcher.Grains.Routing;
using Dispatcher.Providers;
using Dispatcher.Providers.Chat;

namespace Dispatcher.Grains.Dispatch;

/// <summary>
/// Finds the model that continues a stream broken after its commit point: the candidates after the failed one, in the
/// turn's order, each asked with the conversation plus the text already streamed (a prefill where the adapter
/// supports it, else the route's continuation instruction) and read to its own commit point. Every call and skip is
/// an attempt in the trail, within <c>Retry:MaxAttemptsPerRequest</c>.
/// </summary>
internal sealed class StreamContinuation
{
    private readonly AttemptRunner _runner;
    private readonly DispatchRequest _request;
    private readonly IReadOnlyList<ModelDeployment> _chain;
    private readonly int _maxAttempts;
    private readonly TimeProvider _time;
    private readonly CancellationToken _clientGone;

    public StreamContinuation(AttemptRunner runner, DispatchRequest request, IReadOnlyList<ModelDeployment> chain, int maxAttempts, TimeProvider time,
        CancellationToken clientGone)
    {
        _clientGone = clientGone;
        _runner = runner;
        _request = request;
        _chain = chain;
        _maxAttempts = maxAttempts;
        _time = time;
    }

    /// <summary>Starts the continuation after <paramref name="failed"/> broke; null when no candidate could take it.</summary>
    public async Task<ContinuationStart?> StartAsync(ModelDeployment failed, string partialAnswer, DecisionTrail trail)
    {
        var clientGone = _clientGone;
        var from = 0;
        for (var i = 0; i < _chain.Count; i++)
        {
            from = _chain[i] == failed ? i + 1 : from;
        }

        var instructionText = _request.Route.Options.ContinuationInstruction ?? RouteOptions.DefaultContinuationInstruction;
        for (var i = from; i < _chain.Count && !clientGone.IsCancellationRequested; i++)
        {
            var candidate = _chain[i];
            if (candidate == failed)
            {
                continue;
            }

            if (trail.Count + 1 >= _maxAttempts)
            {
                return null;
            }

            var misfit = CandidateFit.Check(_request.Request, candidate, out var misfitDetail);
            if (misfit == FailureKind.None
                && CostGuard.Refusal(_request.Request, _request.Route, candidate, _request.MaxCostUsd ?? _request.Route.Options.MaxCostUsd, trail.TotalCostUsd) is { } tooDear)
            {
                (misfit, misfitDetail) = (FailureKind.CostCeiling, tooDear);
            }

            if (misfit != FailureKind.None)
            {
                trail.Add(new AttemptRecord(candidate.Alias, candidate.Provider.Name, null, misfit, DispatchAction.NextCandidate, 0, 0, 0m, misfitDetail));
                continue;
            }

            var instruction = candidate.Provider.Adapter.SupportsAssistantPrefill ? null : instructionText;
            var continued = ContinuationRequest.Create(_request.Request, partialAnswer, instruction);
            if (continued is null)
            {
                return null;
            }

            var acquired = candidate.Provider.TryAcquire(candidate.Breaker, candidate.Tokens.Estimate(continued) + (continued.MaxOutputTokens ?? 0));
            if (!acquired.Granted)
            {
                continued.Dispose();
                trail.Add(new AttemptRecord(candidate.Alias, candidate.Provider.Name, null, acquired.SkipReason, DispatchAction.NextCandidate,
                    0, 0, 0m, "skipped: the candidate cannot take a call now"));
                continue;
            }

            var startedAt = _time.GetTimestamp();
            var outcome = await _runner.RunAsync(_request with { Request = continued }, candidate, acquired.Lease, clientGone).ConfigureAwait(false);
            if (outcome.Failure is null && outcome.Stream is { } stream)
            {
                return new ContinuationStart(stream, candidate, acquired.Lease, startedAt, continued, outcome.UpstreamModel);
            }

            continued.Dispose();
            var failure = outcome.Failure ?? UpstreamFailure.Of(FailureKind.InvalidResponse, "the continuation did not stream");
            candidate.Provider.Report(acquired.Lease, failure.Kind, failure.RetryAfter, outcome.RateLimits, 0);
            if (DispatchEngine.BlamesDeployment(failure.Kind))
            {
                candidate.Health.RecordFailure();
            }

            trail.Add(new AttemptRecord(candidate.Alias, candidate.Provider.Name, acquired.Lease.Key.Id, failure.Kind, DispatchAction.NextCandidate,
                failure.StatusCode, _time.GetElapsedTime(startedAt).TotalMilliseconds, 0m, "continuation: " + failure.Detail));
        }

        return null;
    }
}

/// <summary>A continuation that reached its commit point: the stream to splice in, and whose it is.</summary>
internal sealed record ContinuationStart(StreamStart Stream, ModelDeployment Candidate, ProviderLease Lease, long StartedAt,
    ChatRequest Request, string? UpstreamModel);
