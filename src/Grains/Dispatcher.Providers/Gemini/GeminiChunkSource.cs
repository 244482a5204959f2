using Dispatcher.Providers.Sse;

namespace Dispatcher.Providers.Gemini;

/// <summary>
/// A Gemini <c>streamGenerateContent?alt=sse</c> stream as chat.completion.chunk JSON: each <c>data:</c> event is a
/// whole <c>GenerateContentResponse</c>, translated by <see cref="GeminiStreamTranslator"/>. Gemini sends no
/// <c>[DONE]</c>: the end of the body after a finish reason ends the stream (after a usage-only chunk, so the attempt
/// can be priced); the end before one is a cut. Malformed events are <c>invalid_response</c>.
/// </summary>
internal sealed class GeminiChunkSource : IChunkSource
{
    private readonly Stream _body;
    private readonly HttpResponseMessage? _response;
    private readonly PooledBuffer? _requestBody;
    private readonly SseEventReader _reader;
    private readonly GeminiStreamTranslator _translator;
    private bool _ended;

    /// <summary>Reads <paramref name="body"/>; disposing releases it, the response and the request body.</summary>
    public GeminiChunkSource(Stream body, string requestedModel, long created, HttpResponseMessage? response = null, PooledBuffer? requestBody = null)
    {
        _body = body;
        _response = response;
        _requestBody = requestBody;
        _reader = new SseEventReader(body);
        _translator = new GeminiStreamTranslator(requestedModel, created);
    }

    public ReadOnlyMemory<byte> Chunk { get; private set; }

    public ResponseFacts Facts { get; private set; }

    public UpstreamFailure? Failure { get; private set; }

    public async ValueTask<ChunkReadStatus> ReadAsync(CancellationToken cancellationToken)
    {
        _translator.Clear();
        while (true)
        {
            if (_translator.TryDequeue(out var chunk, out var facts))
            {
                Chunk = chunk;
                Facts = facts;
                return ChunkReadStatus.Chunk;
            }

            if (_ended)
            {
                return ChunkReadStatus.Done;
            }

            SseReadStatus status;
            try
            {
                status = await _reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when ((ex is IOException or HttpRequestException) && !cancellationToken.IsCancellationRequested)
            {
                return Fail(UpstreamFailure.Of(FailureKind.StreamCut, "the upstream connection broke mid-stream"));
            }

            if (status == SseReadStatus.TooLarge)
            {
                return Fail(UpstreamFailure.Of(FailureKind.InvalidResponse, "the upstream sent an oversized stream event"));
            }

            if (status == SseReadStatus.EndOfStream || _reader.Data.Span.SequenceEqual("[DONE]"u8))
            {
                if (!_translator.SawFinish)
                {
                    return Fail(UpstreamFailure.Of(FailureKind.StreamCut, "the upstream stream ended before it finished"));
                }

                _ended = true;
                _translator.End();
                continue;
            }

            if (!GeminiAnswer.TryRead(_reader.Data, out var answer))
            {
                return Fail(UpstreamFailure.Of(FailureKind.InvalidResponse, "the upstream sent a malformed stream event"));
            }

            if (_translator.Translate(answer) is { } failure)
            {
                return Fail(failure);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _body.DisposeAsync().ConfigureAwait(false);
        _response?.Dispose();
        _reader.Dispose();
        _translator.Dispose();
        _requestBody?.Dispose();
    }

    private ChunkReadStatus Fail(UpstreamFailure failure)
    {
        Failure = failure;
        return ChunkReadStatus.Failed;
    }
}
