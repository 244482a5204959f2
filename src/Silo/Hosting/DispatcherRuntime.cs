using Dispatcher.Grains.Chaos;
using Dispatcher.Grains.Configuration;
using Dispatcher.Grains.Providers;
using Dispatcher.Grains.Routing;
using Dispatcher.Providers;
using Dispatcher.Providers.Anthropic;
using Dispatcher.Providers.AzureOpenAi;
using Dispatcher.Providers.Gemini;
using Dispatcher.Providers.OpenAi;
using Dispatcher.Providers.Simulated;
using Microsoft.Extensions.Options;

namespace Dispatcher.Silo.Hosting;

/// <summary>
/// The node's actors, built once from the validated configuration: one <see cref="ProviderActor"/> per provider (with
/// its adapter and key pool), one <see cref="ModelDeployment"/> per model alias, and the <see cref="RouteTable"/>.
/// </summary>
public sealed class DispatcherRuntime : IDisposable
{
    private readonly HttpClient _http;

    /// <summary>Builds the runtime.</summary>
    public DispatcherRuntime(IOptions<DispatcherOptions> options, IProviderAuthority authority, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(options);
        var config = options.Value;
        _http = UpstreamHttp.CreateClient();
        Chaos = new ChaosControl(config.Chaos, config.Providers, time);
        Providers = config.Providers.ToDictionary(
            pair => pair.Key,
            pair => new ProviderActor(pair.Key, Chaos.Wrap(pair.Key, CreateAdapter(pair.Value, time)), ResolveKeys(pair.Value), pair.Value.Rpm, pair.Value.Tpm,
                pair.Value.Breaker, authority, time),
            StringComparer.OrdinalIgnoreCase);
        var deployments = config.Models.ToDictionary(
            pair => pair.Key,
            pair => new ModelDeployment(pair.Key, pair.Value, Providers[pair.Value.Provider!], time),
            StringComparer.OrdinalIgnoreCase);
        Routes = new RouteTable(deployments, config.Routes);
        ConfigurationSource = config.ConfigurationSource;
    }

    /// <summary>Provider actors by name.</summary>
    public IReadOnlyDictionary<string, ProviderActor> Providers { get; }

    /// <summary>Fault injection per provider (inert unless <c>Dispatcher:Chaos:Enabled</c>).</summary>
    public ChaosControl Chaos { get; }

    /// <summary>The route table.</summary>
    public RouteTable Routes { get; }

    /// <summary><c>configured</c>, <c>environment</c> or <c>demo</c>.</summary>
    public string ConfigurationSource { get; }

    /// <inheritdoc />
    public void Dispose() => _http.Dispose();

    private IChatAdapter CreateAdapter(ProviderOptions provider, TimeProvider time)
    {
        if (ProviderKinds.Is(provider.Kind, ProviderKinds.Simulated))
        {
            return new SimulatedAdapter(new SimulatedAdapterOptions { FailureRate = provider.FailureRate, Latency = provider.Latency, Time = time });
        }

        if (ProviderKinds.Is(provider.Kind, ProviderKinds.Anthropic))
        {
            return new AnthropicAdapter(_http, new AnthropicAdapterOptions
            {
                BaseUrl = new Uri(provider.BaseUrl ?? AnthropicAdapterOptions.DefaultBaseUrl),
                Headers = provider.Headers,
                ApiVersion = provider.ApiVersion ?? AnthropicAdapterOptions.DefaultApiVersion,
                Time = time,
            });
        }

        if (ProviderKinds.Is(provider.Kind, ProviderKinds.Gemini))
        {
            return new GeminiAdapter(_http, new GeminiAdapterOptions
            {
                BaseUrl = new Uri(provider.BaseUrl ?? GeminiAdapterOptions.DefaultBaseUrl),
                Headers = provider.Headers,
                Time = time,
            });
        }

        var baseUrl = new Uri(provider.BaseUrl!);
        if (ProviderKinds.Is(provider.Kind, ProviderKinds.AzureOpenAi))
        {
            return new AzureOpenAiAdapter(_http, new AzureOpenAiAdapterOptions
            {
                Endpoint = baseUrl,
                ApiVersion = provider.ApiVersion ?? AzureOpenAiAdapterOptions.DefaultApiVersion,
                Deployment = provider.Deployment,
                Headers = provider.Headers,
            });
        }

        return new OpenAiAdapter(_http, new OpenAiAdapterOptions { BaseUrl = baseUrl, Headers = provider.Headers });
    }

    private static string[] ResolveKeys(ProviderOptions provider) =>
        provider.ApiKeys.Select(reference => SecretReference.Resolve(reference, Environment.GetEnvironmentVariable)!).ToArray();
}
