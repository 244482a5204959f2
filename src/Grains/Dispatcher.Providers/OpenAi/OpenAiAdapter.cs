using System.Collections.Concurrent;
using Dispatcher.Providers.Http;

namespace Dispatcher.Providers.OpenAi;

/// <summary>
/// The OpenAI wire format, for OpenAI and every OpenAI-compatible vendor. The client's body passes through byte for
/// byte except <c>model</c>, <c>models</c> and <c>stream_options</c> (see <see cref="OpenAiRequestBody"/>); answers
/// pass back untouched.
/// </summary>
public sealed class OpenAiAdapter : IChatAdapter
{
    private readonly HttpClient _http;
    private readonly OpenAiAdapterOptions _options;
    private readonly Uri _chatUri;
    private readonly ConcurrentDictionary<string, string> _keyValues = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Uri> _modelUris = new(StringComparer.Ordinal);

    /// <summary>Creates the adapter over a shared <paramref name="http"/> client.</summary>
    public OpenAiAdapter(HttpClient http, OpenAiAdapterOptions options)
    {
        _http = http;
        _options = options;
        _chatUri = new Uri(options.BaseUrl.AbsoluteUri.TrimEnd('/') + "/chat/completions");
    }

    /// <inheritdoc />
    public async Task<CompletionResult> CompleteAsync(UpstreamCall attempt, CancellationToken cancellationToken)
    {
        using var body = WriteBody(attempt);
        var (response, failure) = await SendAsync(attempt, body, cancellationToken).ConfigureAwait(false);
        if (response is null)
        {
            return CompletionResult.Failed(failure!);
        }

        using (response)
        {
            var hint = RateLimitHeaders.Hint(response.Headers);
            if (!response.IsSuccessStatusCode)
            {
                return CompletionResult.Failed(await ClassifyAsync(response, cancellationToken).ConfigureAwait(false), hint);
            }

            var (answer, unreadable) = await UpstreamExchange.ReadAnswerAsync(response, _options.MaxResponseBytes, cancellationToken).ConfigureAwait(false);
            if (answer is null)
            {
                return CompletionResult.Failed(unreadable!, hint);
            }

            if (!OpenAiResponseScanner.TryScan(answer.WrittenSpan, captureModel: true, out var facts, out var hasChoices)
                || (facts.Error is null && !hasChoices))
            {
                answer.Dispose();
                return CompletionResult.Failed(UpstreamFailure.Of(FailureKind.InvalidResponse, "the upstream's answer is not a valid chat completion"), hint);
            }

            if (facts.Error is not null)
            {
                answer.Dispose();
                return CompletionResult.Failed(facts.Error, hint);
            }

            return CompletionResult.Served(answer, facts, hint);
        }
    }

    /// <inheritdoc />
    public async Task<StreamOpenResult> OpenStreamAsync(UpstreamCall attempt, CancellationToken cancellationToken)
    {
        var body = WriteBody(attempt);
        var (response, failure) = await SendAsync(attempt, body, cancellationToken).ConfigureAwait(false);
        if (response is null)
        {
            body.Dispose();
            return StreamOpenResult.Failed(failure!);
        }

        var hint = RateLimitHeaders.Hint(response.Headers);
        return await UpstreamExchange.OpenEventStreamAsync(response, body, hint, ClassifyAsync,
            static (upstream, events, requestBody) => new OpenAiChunkSource(upstream, events, requestBody), cancellationToken).ConfigureAwait(false);
    }

    private static PooledBuffer WriteBody(UpstreamCall call)
    {
        var body = new PooledBuffer(call.Request.Body.Length + call.Model.Json.Length + 64);
        OpenAiRequestBody.Write(call.Request, call.Model.Json.Span, body);
        return body;
    }

    private Task<(HttpResponseMessage? Response, UpstreamFailure? Failure)> SendAsync(
        UpstreamCall call, PooledBuffer body, CancellationToken cancellationToken)
    {
        var uri = _options.ChatUriForModel is { } uriFor ? _modelUris.GetOrAdd(call.Model.Name, uriFor) : _chatUri;
        var key = call.ApiKey.Length > 0 ? _keyValues.GetOrAdd(call.ApiKey, static (key, prefix) => prefix + key, _options.KeyPrefix) : null;
        return UpstreamExchange.SendAsync(_http, UpstreamExchange.JsonPost(uri, body, _options.KeyHeader, key, _options.Headers), cancellationToken);
    }

    private static async Task<UpstreamFailure> ClassifyAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        using var errorBody = await UpstreamExchange.ReadErrorBodyAsync(response, cancellationToken).ConfigureAwait(false);
        return OpenAiErrors.Classify((int)response.StatusCode, response.Headers, UpstreamExchange.ErrorSpan(errorBody));
    }
}
