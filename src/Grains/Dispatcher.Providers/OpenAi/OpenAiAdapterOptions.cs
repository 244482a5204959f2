namespace Dispatcher.Providers.OpenAi;

/// <summary>Settings of one OpenAI-compatible provider (OpenAI, DeepSeek, Mistral, Qwen, Groq, vLLM, OpenRouter…).</summary>
public sealed class OpenAiAdapterOptions
{
    /// <summary>The API base, e.g. <c>https://api.openai.com/v1</c>; chat completions are at <c>{BaseUrl}/chat/completions</c>.</summary>
    public required Uri BaseUrl { get; init; }

    /// <summary>Extra request headers (OpenRouter's HTTP-Referer, for example).</summary>
    public IReadOnlyDictionary<string, string> Headers { get; init; } = new Dictionary<string, string>();

    /// <summary>The header that carries the key. Default <c>Authorization</c>; Azure OpenAI uses <c>api-key</c>.</summary>
    public string KeyHeader { get; init; } = "Authorization";

    /// <summary>What precedes the key in <see cref="KeyHeader"/>. Default <c>Bearer </c>; empty for Azure's api-key.</summary>
    public string KeyPrefix { get; init; } = "Bearer ";

    /// <summary>
    /// The chat completions URL for an upstream model, when it depends on the model (Azure's per-deployment URLs).
    /// Default: <c>{BaseUrl}/chat/completions</c> for every model.
    /// </summary>
    public Func<string, Uri>? ChatUriForModel { get; init; }

    /// <summary>Largest non-streaming answer accepted. Default 32 MiB; a larger one is <c>invalid_response</c>.</summary>
    public int MaxResponseBytes { get; init; } = 32 * 1024 * 1024;
}
