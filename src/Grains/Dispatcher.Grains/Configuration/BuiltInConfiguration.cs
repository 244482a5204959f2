using Microsoft.Extensions.Options;

namespace Dispatcher.Grains.Configuration;

/// <summary>
/// SPEC.md's start-up rules: with no <c>Providers</c> configured, one provider per well-known key variable that is set
/// (for wire formats this build speaks) and, when none is set, the demo on simulated providers whose primary fails
/// now and then. Configured providers never mix with either.
/// </summary>
public sealed class BuiltInConfiguration : IPostConfigureOptions<DispatcherOptions>
{
    private static readonly WellKnownProvider[] WellKnown =
    [
        new("OPENAI_API_KEY", "openai", "https://api.openai.com/v1", [new("gpt-4o", 2.5m, 10m, 128_000), new("gpt-4o-mini", 0.15m, 0.6m, 128_000)]),
        new("DEEPSEEK_API_KEY", "deepseek", "https://api.deepseek.com/v1", [new("deepseek-chat", 0.28m, 0.42m, 128_000)]),
        new("MISTRAL_API_KEY", "mistral", "https://api.mistral.ai/v1", [new("mistral-large-latest", 2m, 6m, 128_000), new("mistral-small-latest", 0.1m, 0.3m, 128_000)]),
        new("GROQ_API_KEY", "groq", "https://api.groq.com/openai/v1", [new("llama-3.3-70b-versatile", 0.59m, 0.79m, 128_000)]),
        new("TOGETHER_API_KEY", "together", "https://api.together.xyz/v1", [new("meta-llama/Llama-3.3-70B-Instruct-Turbo", 0.88m, 0.88m, 128_000)]),
        new("DASHSCOPE_API_KEY", "qwen", "https://dashscope-intl.aliyuncs.com/compatible-mode/v1", [new("qwen-plus", 0.4m, 1.2m, 131_072)]),
        new("OPENROUTER_API_KEY", "openrouter", "https://openrouter.ai/api/v1", [new("openai/gpt-4o-mini", 0.15m, 0.6m, 128_000)]),
        new("ANTHROPIC_API_KEY", "anthropic", null, [new("claude-sonnet-4-5", 3m, 15m, 200_000), new("claude-haiku-4-5", 1m, 5m, 200_000)], ProviderKinds.Anthropic),
        new("GEMINI_API_KEY", "gemini", null, [new("gemini-2.5-flash", 0.3m, 2.5m, 1_048_576), new("gemini-2.5-pro", 1.25m, 10m, 1_048_576)], ProviderKinds.Gemini),
    ];

    private readonly Func<string, string?> _environment;

    /// <summary>Creates the rule; <paramref name="environment"/> reads environment variables (injectable for tests).</summary>
    public BuiltInConfiguration(Func<string, string?>? environment = null) =>
        _environment = environment ?? Environment.GetEnvironmentVariable;

    /// <inheritdoc />
    public void PostConfigure(string? name, DispatcherOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Providers.Count > 0)
        {
            return;
        }

        var chain = new List<string>();
        foreach (var known in WellKnown)
        {
            if (string.IsNullOrEmpty(_environment(known.KeyVariable)))
            {
                continue;
            }

            options.Providers[known.Provider] = new ProviderOptions { Kind = known.Kind, BaseUrl = known.BaseUrl, ApiKeys = ["env:" + known.KeyVariable] };
            foreach (var model in known.Models)
            {
                options.Models.TryAdd(model.Name, new ModelOptions
                {
                    Provider = known.Provider,
                    UpstreamModel = model.Name,
                    InputPricePerMTok = model.InputPrice,
                    OutputPricePerMTok = model.OutputPrice,
                    ContextWindow = model.ContextWindow,
                });
            }

            chain.Add(known.Models[0].Name);
        }

        if (chain.Count > 0)
        {
            options.ConfigurationSource = "environment";
            options.Routes.TryAdd("default", new RouteOptions { Chain = chain });
            return;
        }

        AddDemo(options);
    }

    private static void AddDemo(DispatcherOptions options)
    {
        options.ConfigurationSource = "demo";
        options.Providers["sim-primary"] = new ProviderOptions { Kind = ProviderKinds.Simulated, FailureRate = 0.3 };
        options.Providers["sim-backup"] = new ProviderOptions { Kind = ProviderKinds.Simulated };
        options.Models["demo-fast"] = new ModelOptions { Provider = "sim-primary", UpstreamModel = "sim-fast-1", InputPricePerMTok = 0.5m, OutputPricePerMTok = 1.5m, ContextWindow = 32_000 };
        options.Models["demo-steady"] = new ModelOptions { Provider = "sim-backup", UpstreamModel = "sim-steady-1", InputPricePerMTok = 0.4m, OutputPricePerMTok = 1.2m, ContextWindow = 32_000 };
        options.Routes["demo"] = new RouteOptions { Chain = ["demo-fast", "demo-steady"] };
        options.Routes["default"] = new RouteOptions { Chain = ["demo-fast", "demo-steady"] };
    }

    private sealed record WellKnownModel(string Name, decimal InputPrice, decimal OutputPrice, int ContextWindow);

    private sealed record WellKnownProvider(string KeyVariable, string Provider, string? BaseUrl, WellKnownModel[] Models, string Kind = ProviderKinds.OpenAi);
}
