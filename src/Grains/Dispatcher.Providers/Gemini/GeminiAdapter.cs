using System.Collections.Concurrent;
using Dispatcher.Providers.Http;

namespace Dispatcher.Providers.Gemini;

/// <summary>
/// Google's Gemini API (<c>generateContent</c>, <c>streamGenerateContent?alt=sse</c>). The client's OpenAI body is
/// translated to a <c>GenerateContentRequest</c> by <see cref="GeminiMapper"/>, answers back to OpenAI's
/// chat.completion and chat.completion.chunk shapes; the key travels in <c>x-goog-api-key</c>.
/// </summary>
public sealed class GeminiAdapter : IChatAdapter
{
    private readonly HttpClient _http;
    private readonly GeminiAdapterOptions _options;
    private readonly string _modelsBase;
    private readonly ConcurrentDictionary<string, (Uri Complete, Uri Stream)> _modelUris = new(StringComparer.Ordinal);

    /// <summary>Creates the adapter over a shared <paramref name="http"/> client.</summary>
    public GeminiAdapter(HttpClient http, GeminiAdapterOptions options)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(options);
        _http = http;
        _options = options;
        _modelsBase = options.BaseUrl.AbsoluteUri.TrimEnd('/') + "/";
    }

    /// <inheritdoc />
    public async Task<CompletionResult> CompleteAsync(UpstreamCall attempt, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(attempt);
        using var body = new PooledBuffer(attempt.Request.Body.Length + 256);
        if (GeminiMapper.WriteRequest(attempt.Request, attempt.Model.Name, body) is { } refused)
        {
            return CompletionResult.Failed(refused);
        }

        var (response, failure) = await SendAsync(attempt, UrisFor(attempt.Model.Name).Complete, body, cancellationToken).ConfigureAwait(false);
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

            var (raw, unreadable) = await UpstreamExchange.ReadAnswerAsync(response, _options.MaxResponseBytes, cancellationToken).ConfigureAwait(false);
            if (raw is null)
            {
                return CompletionResult.Failed(unreadable!, hint);
            }

            using (raw)
            {
                return Translate(raw, attempt.Model.Name, hint);
            }
        }
    }

    /// <inheritdoc />
    public async Task<StreamOpenResult> OpenStreamAsync(UpstreamCall attempt, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(attempt);
        var body = new PooledBuffer(attempt.Request.Body.Length + 256);
        if (GeminiMapper.WriteRequest(attempt.Request, attempt.Model.Name, body) is { } refused)
        {
            body.Dispose();
            return StreamOpenResult.Failed(refused);
        }

        var (response, failure) = await SendAsync(attempt, UrisFor(attempt.Model.Name).Stream, body, cancellationToken).ConfigureAwait(false);
        if (response is null)
        {
            body.Dispose();
            return StreamOpenResult.Failed(failure!);
        }

        var hint = RateLimitHeaders.Hint(response.Headers);
        return await UpstreamExchange.OpenEventStreamAsync(response, body, hint, ClassifyAsync,
            (upstream, events, requestBody) => new GeminiChunkSource(events, attempt.Model.Name, _options.Time.GetUtcNow().ToUnixTimeSeconds(), upstream, requestBody), cancellationToken).ConfigureAwait(false);
    }

    private CompletionResult Translate(PooledBuffer raw, string requestedModel, RateLimitHint hint)
    {
        if (!GeminiAnswer.TryRead(raw.WrittenMemory, out var answer))
        {
            return CompletionResult.Failed(UpstreamFailure.Of(FailureKind.InvalidResponse, "the upstream's answer is not a valid Gemini response"), hint);
        }

        if (answer.Error is not null)
        {
            return CompletionResult.Failed(answer.Error, hint);
        }

        if (answer.BlockReason is not null)
        {
            return CompletionResult.Failed(UpstreamFailure.Of(FailureKind.ContentFiltered, "the upstream's safety filter blocked the prompt"), hint);
        }

        if (answer.Candidates.Count == 0)
        {
            return CompletionResult.Failed(UpstreamFailure.Of(FailureKind.InvalidResponse, "the upstream's answer has no candidates"), hint);
        }

        var output = new PooledBuffer(raw.Length + 512);
        var created = _options.Time.GetUtcNow().ToUnixTimeSeconds();
        var facts = GeminiMapper.WriteCompletion(answer, GeminiMapper.CompletionId(answer.ResponseId), created, answer.ModelVersion ?? requestedModel, output);
        return CompletionResult.Served(output, facts, hint);
    }

    /// <summary><c>{BaseUrl}/models/{model}:…</c>; a name that already says <c>models/…</c> or <c>tunedModels/…</c> is kept.</summary>
    private (Uri Complete, Uri Stream) UrisFor(string model) => _modelUris.GetOrAdd(model, static (name, prefix) =>
    {
        var path = name.Contains('/', StringComparison.Ordinal)
            ? string.Join('/', name.Split('/').Select(Uri.EscapeDataString))
            : "models/" + Uri.EscapeDataString(name);
        return (new Uri(prefix + path + ":generateContent"), new Uri(prefix + path + ":streamGenerateContent?alt=sse"));
    }, _modelsBase);

    private Task<(HttpResponseMessage? Response, UpstreamFailure? Failure)> SendAsync(
        UpstreamCall call, Uri uri, PooledBuffer body, CancellationToken cancellationToken) =>
        UpstreamExchange.SendAsync(_http, UpstreamExchange.JsonPost(uri, body, "x-goog-api-key", call.ApiKey, _options.Headers), cancellationToken);

    private static async Task<UpstreamFailure> ClassifyAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        using var errorBody = await UpstreamExchange.ReadErrorBodyAsync(response, cancellationToken).ConfigureAwait(false);
        return GeminiErrors.Classify((int)response.StatusCode, response.Headers, UpstreamExchange.ErrorSpan(errorBody));
    }
}
