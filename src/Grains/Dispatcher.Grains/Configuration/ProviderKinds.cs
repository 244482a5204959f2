namespace Dispatcher.Grains.Configuration;

/// <summary>The wire formats a provider's <c>Kind</c> may name.</summary>
public static class ProviderKinds
{
    /// <summary>OpenAI and every OpenAI-compatible API.</summary>
    public const string OpenAi = "openai";

    /// <summary>The in-process upstream of the demo and tests.</summary>
    public const string Simulated = "simulated";

    /// <summary>Kinds named by SPEC.md whose adapters are not in this build yet.</summary>
    public static readonly IReadOnlyList<string> Planned = ["anthropic", "gemini", "azure-openai"];

    /// <summary>Whether <paramref name="kind"/> is served by this build.</summary>
    public static bool IsSupported(string? kind) =>
        string.Equals(kind, OpenAi, StringComparison.OrdinalIgnoreCase) || string.Equals(kind, Simulated, StringComparison.OrdinalIgnoreCase);
}
