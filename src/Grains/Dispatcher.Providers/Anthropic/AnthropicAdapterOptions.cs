namespace Dispatcher.Providers.Anthropic;

/// <summary>Settings of one provider that speaks Anthropic's Messages API.</summary>
public sealed class AnthropicAdapterOptions
{
    /// <summary>Anthropic's API base.</summary>
    public const string DefaultBaseUrl = "https://api.anthropic.com/v1";

    /// <summary>The <c>anthropic-version</c> header sent when none is configured.</summary>
    public const string DefaultApiVersion = "2023-06-01";

    /// <summary>The API base; messages are created at <c>{BaseUrl}/messages</c>.</summary>
    /// <value>Default <c>https://api.anthropic.com/v1</c>.</value>
    public Uri BaseUrl { get; init; } = new(DefaultBaseUrl);

    /// <summary>Extra request headers (for example <c>anthropic-beta</c>).</summary>
    /// <value>Default none.</value>
    public IReadOnlyDictionary<string, string> Headers { get; init; } = new Dictionary<string, string>();

    /// <summary>The <c>anthropic-version</c> header sent with every request.</summary>
    /// <value>Default <c>2023-06-01</c>.</value>
    public string ApiVersion { get; init; } = DefaultApiVersion;

    /// <summary>
    /// The <c>max_tokens</c> sent when the request sets neither <c>max_completion_tokens</c> nor <c>max_tokens</c>
    /// (Anthropic requires it).
    /// </summary>
    /// <value>Default 4096.</value>
    public int DefaultMaxTokens { get; init; } = 4096;

    /// <summary>Largest non-streaming answer accepted; a larger one is <c>invalid_response</c>.</summary>
    /// <value>Default 32 MiB.</value>
    public int MaxResponseBytes { get; init; } = 32 * 1024 * 1024;

    /// <summary>
    /// The clock for the <c>created</c> field of translated answers, and for rate-limit resets when the upstream's
    /// answer has no <c>Date</c> header.
    /// </summary>
    /// <value>Default <see cref="TimeProvider.System"/>.</value>
    public TimeProvider Time { get; init; } = TimeProvider.System;
}
