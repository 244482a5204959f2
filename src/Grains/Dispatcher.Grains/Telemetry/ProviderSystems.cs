using Dispatcher.Providers;
using Dispatcher.Providers.Anthropic;
using Dispatcher.Providers.AzureOpenAi;
using Dispatcher.Providers.Gemini;
using Dispatcher.Providers.Simulated;

namespace Dispatcher.Grains.Telemetry;

/// <summary>The GenAI semantic conventions' <c>gen_ai.provider.name</c> of each wire format.</summary>
public static class ProviderSystems
{
    /// <summary>The well-known name of the system <paramref name="adapter"/> speaks to.</summary>
    public static string Of(IChatAdapter adapter) => adapter switch
    {
        AnthropicAdapter => "anthropic",
        GeminiAdapter => "gcp.gemini",
        AzureOpenAiAdapter => "azure.ai.openai",
        SimulatedAdapter => "simulated",
        _ => "openai",
    };
}
