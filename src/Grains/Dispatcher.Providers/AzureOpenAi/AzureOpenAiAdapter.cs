using Dispatcher.Providers.OpenAi;

namespace Dispatcher.Providers.AzureOpenAi;

/// <summary>
/// Azure OpenAI: OpenAI's wire format at per-deployment URLs
/// (<c>{endpoint}/openai/deployments/{deployment}/chat/completions?api-version=…</c>) with the key in <c>api-key</c>.
/// Its content-filter errors (code <c>content_filter</c>) and filtered choices (<c>finish_reason: content_filter</c>)
/// are the OpenAI adapter's <c>content_filtered</c>.
/// </summary>
public sealed class AzureOpenAiAdapter : IChatAdapter
{
    private readonly OpenAiAdapter _openAi;

    /// <summary>Creates the adapter over a shared <paramref name="http"/> client.</summary>
    public AzureOpenAiAdapter(HttpClient http, AzureOpenAiAdapterOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var endpoint = options.Endpoint.AbsoluteUri.TrimEnd('/');
        var apiVersion = Uri.EscapeDataString(options.ApiVersion);
        _openAi = new OpenAiAdapter(http, new OpenAiAdapterOptions
        {
            BaseUrl = options.Endpoint,
            Headers = options.Headers,
            KeyHeader = "api-key",
            KeyPrefix = string.Empty,
            ChatUriForModel = model => new Uri(
                $"{endpoint}/openai/deployments/{Uri.EscapeDataString(options.Deployment ?? model)}/chat/completions?api-version={apiVersion}"),
        });
    }

    /// <inheritdoc />
    public Task<CompletionResult> CompleteAsync(UpstreamCall attempt, CancellationToken cancellationToken) =>
        _openAi.CompleteAsync(attempt, cancellationToken);

    /// <inheritdoc />
    public Task<StreamOpenResult> OpenStreamAsync(UpstreamCall attempt, CancellationToken cancellationToken) =>
        _openAi.OpenStreamAsync(attempt, cancellationToken);
}
