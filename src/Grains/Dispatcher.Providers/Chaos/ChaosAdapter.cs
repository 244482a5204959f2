using Dispatcher.Providers.OpenAi;
using Polly;
using Polly.Simmy;
using Polly.Simmy.Fault;
using Polly.Simmy.Latency;
using Polly.Simmy.Outcomes;

namespace Dispatcher.Providers.Chaos;

/// <summary>
/// Wraps a provider's adapter in Polly.Core's chaos strategies (latency, fault, outcome), driven by the provider's
/// current <see cref="ChaosSettings"/> on every attempt, so the operator API can change them while the node runs.
/// An injected failure is classified like a real one and says so in its detail ("injected by chaos: …"), which is
/// what the decision trail shows.
/// </summary>
public sealed class ChaosAdapter : IChatAdapter
{
    /// <summary>The prefix of every injected failure's detail.</summary>
    public const string DetailPrefix = "injected by chaos: ";

    private static readonly UpstreamFailure InjectedFault = UpstreamFailure.Of(FailureKind.ConnectionFailed, DetailPrefix + "connection fault");

    private readonly IChatAdapter _inner;
    private readonly Func<ChaosSettings> _settings;
    private readonly ResiliencePipeline<CompletionResult> _complete;
    private readonly ResiliencePipeline<StreamOpenResult> _open;

    /// <summary>Wraps <paramref name="inner"/>.</summary>
    /// <param name="inner">The real adapter.</param>
    /// <param name="settings">Reads the provider's current settings (called on every attempt).</param>
    /// <param name="randomizer">Uniform numbers in [0, 1) for the injection decisions; seeded for reproducible runs.</param>
    /// <param name="time">The clock the injected latency waits on.</param>
    public ChaosAdapter(IChatAdapter inner, Func<ChaosSettings> settings, Func<double> randomizer, TimeProvider time)
    {
        _inner = inner;
        _settings = settings;
        _complete = Build<CompletionResult>(randomizer, time, static failure => CompletionResult.Failed(failure));
        _open = Build<StreamOpenResult>(randomizer, time, static failure => StreamOpenResult.Failed(failure));
    }

    /// <inheritdoc />
    public bool SupportsAssistantPrefill => _inner.SupportsAssistantPrefill;

    /// <inheritdoc />
    public async Task<CompletionResult> CompleteAsync(UpstreamCall attempt, CancellationToken cancellationToken)
    {
        if (!_settings().IsActive)
        {
            return await _inner.CompleteAsync(attempt, cancellationToken).ConfigureAwait(false);
        }

        try
        {
            return await _complete.ExecuteAsync(
                static (state, token) => new ValueTask<CompletionResult>(state.Inner.CompleteAsync(state.Attempt, token)),
                (Inner: _inner, Attempt: attempt), cancellationToken).ConfigureAwait(false);
        }
        catch (ChaosFaultException)
        {
            return CompletionResult.Failed(InjectedFault);
        }
    }

    /// <inheritdoc />
    public async Task<StreamOpenResult> OpenStreamAsync(UpstreamCall attempt, CancellationToken cancellationToken)
    {
        if (!_settings().IsActive)
        {
            return await _inner.OpenStreamAsync(attempt, cancellationToken).ConfigureAwait(false);
        }

        try
        {
            return await _open.ExecuteAsync(
                static (state, token) => new ValueTask<StreamOpenResult>(state.Inner.OpenStreamAsync(state.Attempt, token)),
                (Inner: _inner, Attempt: attempt), cancellationToken).ConfigureAwait(false);
        }
        catch (ChaosFaultException)
        {
            return StreamOpenResult.Failed(InjectedFault);
        }
    }

    /// <summary>The failure an injected <paramref name="status"/> stands for, classified as the OpenAI adapter classifies it.</summary>
    public static UpstreamFailure InjectedStatus(int status)
    {
        var kind = OpenAiErrors.Decide(status, null, null, null);
        return new UpstreamFailure(kind, status, null, $"{DetailPrefix}HTTP {status} ({kind.ToWireName()})");
    }

    private ResiliencePipeline<T> Build<T>(Func<double> randomizer, TimeProvider time, Func<UpstreamFailure, T> fail) =>
        new ResiliencePipelineBuilder<T> { TimeProvider = time }
            .AddChaosLatency(new ChaosLatencyStrategyOptions
            {
                Randomizer = randomizer,
                EnabledGenerator = _ => new ValueTask<bool>(_settings() is { LatencyRate: > 0 } s && s.Latency > TimeSpan.Zero),
                InjectionRateGenerator = _ => new ValueTask<double>(_settings().LatencyRate),
                LatencyGenerator = _ => new ValueTask<TimeSpan>(_settings().Latency),
            })
            .AddChaosFault(new ChaosFaultStrategyOptions
            {
                Randomizer = randomizer,
                EnabledGenerator = _ => new ValueTask<bool>(_settings().FaultRate > 0),
                InjectionRateGenerator = _ => new ValueTask<double>(_settings().FaultRate),
                FaultGenerator = static _ => new ValueTask<Exception?>(new ChaosFaultException()),
            })
            .AddChaosOutcome(new ChaosOutcomeStrategyOptions<T>
            {
                Randomizer = randomizer,
                EnabledGenerator = _ => new ValueTask<bool>(_settings().OutcomeRate > 0),
                InjectionRateGenerator = _ => new ValueTask<double>(_settings().OutcomeRate),
                OutcomeGenerator = _ => new ValueTask<Outcome<T>?>(Outcome.FromResult(fail(InjectedStatus(_settings().OutcomeStatus)))),
            })
            .Build();
}
