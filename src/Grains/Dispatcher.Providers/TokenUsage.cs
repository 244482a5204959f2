namespace Dispatcher.Providers;

/// <summary>Token counts an upstream reported for one attempt, normalized to OpenAI's meaning.</summary>
/// <param name="PromptTokens">Input tokens, cached ones included.</param>
/// <param name="CompletionTokens">Output tokens, reasoning ones included.</param>
/// <param name="CachedTokens">Input tokens served from the provider's prompt cache.</param>
/// <param name="ReasoningTokens">Output tokens spent on hidden reasoning.</param>
public readonly record struct TokenUsage(int PromptTokens, int CompletionTokens, int CachedTokens, int ReasoningTokens)
{
    /// <summary>Prompt plus completion tokens.</summary>
    public int TotalTokens => PromptTokens + CompletionTokens;
}
