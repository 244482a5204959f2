using Dispatcher.Providers.Http;

namespace Dispatcher.Providers.Anthropic;

/// <summary>
/// Anthropic's Messages API (<c>POST {BaseUrl}/messages</c>, key in <c>x-api-key</c>). The client's OpenAI request is
/// translated by <see cref="AnthropicMapper"/>; answers and stream events come back in OpenAI's shapes, with usage
/// normalized. A request the format cannot carry fails as <c>capability_mismatch</c> without any call.
/// </summary>
public sealed class AnthropicAdapter : IChatAdapter
{
    private readonly HttpClient _http;
    private readonly AnthropicAdapterOptions _options;
    private readonly Uri _messagesUri;
    private readonly bool _versionInHeaders;

    /// <summary>Creates the adapter over a shared <paramref name="http"/> client.</summary>
    public AnthropicAdapter(HttpClient http, AnthropicAdapterOptions options)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(options);
        _http = http;
        _options = options;
        _messagesUri = new Uri(options.BaseUrl.AbsoluteUri.TrimEnd('/') + "/messages");
        _versionInHeaders = options.Headers.Keys.Any(static name => string.Equals(name, "anthropic-version", StringComparison.OrdinalIgnoreCase));
    }

    /// <inheritdoc />
    public bool SupportsAssistantPrefill => true;

    /// <inheritdoc />
    public async Task<CompletionResult> CompleteAsync(UpstreamCall attempt, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(attempt);
        using var body = new PooledBuffer(attempt.Request.Body.Length + 256);
        if (AnthropicMapper.WriteRequest(attempt, stream: false, _options.DefaultMaxTokens, body) is { } refused)
        {
            return CompletionResult.Failed(refused);
        }

        var (response, failure) = await SendAsync(attempt, body, cancellationToken).ConfigureAwait(false);
        if (response is null)
        {
            return CompletionResult.Failed(failure!);
        }

        using (response)
        {
            var hint = AnthropicRateLimits.Hint(response.Headers, _options.Time.GetUtcNow());
            if (!response.IsSuccessStatusCode)
            {
                return CompletionResult.Failed(await ClassifyAsync(response, cancellationToken).ConfigureAwait(false), hint);
            }

            var (answer, unreadable) = await UpstreamExchange.ReadAnswerAsync(response, _options.MaxResponseBytes, cancellationToken).ConfigureAwait(false);
            if (answer is null)
            {
                return CompletionResult.Failed(unreadable!, hint);
            }

            using (answer)
            {
                return Translate(answer, hint);
            }
        }
    }

    /// <inheritdoc />
    public async Task<StreamOpenResult> OpenStreamAsync(UpstreamCall attempt, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(attempt);
        var body = new PooledBuffer(attempt.Request.Body.Length + 256);
        if (AnthropicMapper.WriteRequest(attempt, stream: true, _options.DefaultMaxTokens, body) is { } refused)
        {
            body.Dispose();
            return StreamOpenResult.Failed(refused);
        }

        var (response, failure) = await SendAsync(attempt, body, cancellationToken).ConfigureAwait(false);
        if (response is null)
        {
            body.Dispose();
            return StreamOpenResult.Failed(failure!);
        }

        var hint = AnthropicRateLimits.Hint(response.Headers, _options.Time.GetUtcNow());
        return await UpstreamExchange.OpenEventStreamAsync(response, body, hint, ClassifyAsync,
            (upstream, events, requestBody) => new AnthropicChunkSource(upstream, events, requestBody, _options.Time.GetUtcNow().ToUnixTimeSeconds()), cancellationToken).ConfigureAwait(false);
    }

    private CompletionResult Translate(PooledBuffer answer, RateLimitHint hint)
    {
        var translated = new PooledBuffer(answer.Length + 512);
        var created = _options.Time.GetUtcNow().ToUnixTimeSeconds();
        if (!AnthropicMapper.TryWriteCompletion(answer.WrittenSpan, created, translated, out var facts))
        {
            translated.Dispose();
            return CompletionResult.Failed(UpstreamFailure.Of(FailureKind.InvalidResponse, "the upstream's answer is not a valid Anthropic message"), hint);
        }

        if (facts.Error is not null)
        {
            translated.Dispose();
            return CompletionResult.Failed(facts.Error, hint);
        }

        return CompletionResult.Served(translated, facts, hint);
    }

    private Task<(HttpResponseMessage? Response, UpstreamFailure? Failure)> SendAsync(
        UpstreamCall call, PooledBuffer body, CancellationToken cancellationToken)
    {
        var message = UpstreamExchange.JsonPost(_messagesUri, body, "x-api-key", call.ApiKey, _options.Headers);
        if (!_versionInHeaders)
        {
            message.Headers.TryAddWithoutValidation("anthropic-version", _options.ApiVersion);
        }

        return UpstreamExchange.SendAsync(_http, message, cancellationToken);
    }

    private async Task<UpstreamFailure> ClassifyAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        using var errorBody = await UpstreamExchange.ReadErrorBodyAsync(response, cancellationToken).ConfigureAwait(false);
        return AnthropicErrors.Classify((int)response.StatusCode, response.Headers, UpstreamExchange.ErrorSpan(errorBody), _options.Time.GetUtcNow());
    }
}
