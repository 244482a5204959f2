namespace Dispatcher.Providers.Gemini;

/// <summary>Settings of one Gemini API provider (Google AI Studio's <c>generativelanguage.googleapis.com</c>).</summary>
public sealed class GeminiAdapterOptions
{
    /// <summary>The API base that <see cref="BaseUrl"/> defaults to.</summary>
    public const string DefaultBaseUrl = "https://generativelanguage.googleapis.com/v1beta";

    /// <summary>
    /// The API base. Default <c>https://generativelanguage.googleapis.com/v1beta</c>; calls go to
    /// <c>{BaseUrl}/models/{model}:generateContent</c> and <c>{BaseUrl}/models/{model}:streamGenerateContent?alt=sse</c>.
    /// </summary>
    public Uri BaseUrl { get; init; } = new(DefaultBaseUrl);

    /// <summary>Extra request headers. Default none. The key always travels in <c>x-goog-api-key</c>, never in the URL.</summary>
    public IReadOnlyDictionary<string, string> Headers { get; init; } = new Dictionary<string, string>();

    /// <summary>Largest non-streaming answer accepted. Default 32 MiB; a larger one is <c>invalid_response</c>.</summary>
    public int MaxResponseBytes { get; init; } = 32 * 1024 * 1024;

    /// <summary>The clock that stamps <c>created</c> on translated answers. Default the system clock.</summary>
    public TimeProvider Time { get; init; } = TimeProvider.System;
}
