namespace Dispatcher.Grains.Configuration;

/// <summary>The wire formats a provider's <c>Kind</c> may name.</summary>
public static class ProviderKinds
{
    /// <summary>OpenAI and every OpenAI-compatible API.</summary>
    public const string OpenAi = "openai";

    /// <summary>Azure OpenAI: OpenAI's format at per-deployment URLs, key in <c>api-key</c>.</summary>
    public const string AzureOpenAi = "azure-openai";

    /// <summary>Anthropic's Messages API.</summary>
    public const string Anthropic = "anthropic";

    /// <summary>Google's Gemini API (generateContent).</summary>
    public const string Gemini = "gemini";

    /// <summary>The in-process upstream of the demo and tests.</summary>
    public const string Simulated = "simulated";

    /// <summary>Kinds this build serves.</summary>
    public static readonly IReadOnlyList<string> Supported = [OpenAi, AzureOpenAi, Anthropic, Gemini, Simulated];

    /// <summary>Kinds named by SPEC.md whose adapters are not in this build yet.</summary>
    public static readonly IReadOnlyList<string> Planned = [];

    /// <summary>Whether <paramref name="kind"/> is served by this build.</summary>
    public static bool IsSupported(string? kind) => Supported.Contains(kind, StringComparer.OrdinalIgnoreCase);

    /// <summary>Whether <paramref name="kind"/> talks HTTP to a <c>BaseUrl</c> that must be configured (no default).</summary>
    public static bool NeedsBaseUrl(string? kind) => IsSupported(kind) && !Is(kind, Simulated) && !Is(kind, Gemini) && !Is(kind, Anthropic);

    /// <summary>Case-insensitive kind comparison.</summary>
    public static bool Is(string? kind, string expected) => string.Equals(kind, expected, StringComparison.OrdinalIgnoreCase);
}
