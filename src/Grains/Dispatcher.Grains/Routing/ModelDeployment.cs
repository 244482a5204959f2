using Dispatcher.Grains.Configuration;
using Dispatcher.Grains.Providers;
using Dispatcher.Providers;
using Polly;
using Polly.Timeout;

namespace Dispatcher.Grains.Routing;

/// <summary>
/// A model alias ready to be called: its provider actor, deployment breaker, upstream name and the Polly pipelines
/// that bound each attempt (the whole answer for plain calls; the wait for the first content for streams).
/// </summary>
public sealed class ModelDeployment
{
    /// <summary>Builds the deployment of <paramref name="alias"/> on <paramref name="provider"/>.</summary>
    public ModelDeployment(string alias, ModelOptions options, ProviderActor provider, TimeProvider time)
    {
        Alias = alias;
        Options = options;
        Provider = provider;
        Upstream = new UpstreamModel(options.UpstreamModel ?? alias);
        Breaker = provider.Deployment(Upstream.Name);
        CompletionPipeline = Timeout(options.Timeouts.Total, time);
        StreamStartPipeline = Timeout(Min(options.Timeouts.FirstToken, options.Timeouts.Total), time);
        Health = new DeploymentHealth(time);
    }

    /// <summary>Failures and times to first token this node has seen (pins returning to the primary, hedging).</summary>
    public DeploymentHealth Health { get; }

    /// <summary>The alias clients name.</summary>
    public string Alias { get; }

    /// <summary>The alias's configuration.</summary>
    public ModelOptions Options { get; }

    /// <summary>The provider actor that owns keys and breakers.</summary>
    public ProviderActor Provider { get; }

    /// <summary>The name sent upstream.</summary>
    public UpstreamModel Upstream { get; }

    /// <summary>This deployment's breaker.</summary>
    public IDeploymentBreaker Breaker { get; }

    /// <summary>Bounds a non-streaming attempt by <see cref="ModelTimeoutOptions.Total"/>.</summary>
    public ResiliencePipeline CompletionPipeline { get; }

    /// <summary>Bounds a stream's wait for its first content by <see cref="ModelTimeoutOptions.FirstToken"/>.</summary>
    public ResiliencePipeline StreamStartPipeline { get; }

    /// <summary>This model's prompt token estimate, calibrated by its answers.</summary>
    public PromptTokenEstimator Tokens { get; } = new();

    /// <summary>
    /// The cost in USD of <paramref name="usage"/> at this model's prices: cached prompt tokens at
    /// <see cref="ModelOptions.CachedInputPricePerMTok"/> (else the input price), the rest of the prompt at the input
    /// price, completion tokens (reasoning included) at the output price.
    /// </summary>
    public decimal Cost(TokenUsage usage)
    {
        var cached = Math.Clamp(usage.CachedTokens, 0, usage.PromptTokens);
        var cachedPrice = Options.CachedInputPricePerMTok ?? Options.InputPricePerMTok;
        return (((usage.PromptTokens - cached) * Options.InputPricePerMTok) + (cached * cachedPrice)
            + (usage.CompletionTokens * Options.OutputPricePerMTok)) / 1_000_000m;
    }

    private static ResiliencePipeline Timeout(TimeSpan timeout, TimeProvider time) =>
        new ResiliencePipelineBuilder { TimeProvider = time }
            .AddTimeout(new TimeoutStrategyOptions { Timeout = timeout })
            .Build();

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;
}
