using Dispatcher.Providers.Sse;

namespace Dispatcher.Providers.Anthropic;

/// <summary>
/// An Anthropic SSE stream read as OpenAI chunks (see <see cref="AnthropicStreamTranslator"/>). The stream is complete
/// at message_stop; an end of body before it is a cut, an <c>error</c> event is the failure it names, and broken JSON or
/// an oversized event is an invalid response.
/// </summary>
internal sealed class AnthropicChunkSource : IChunkSource
{
    /// <summary>Largest event accepted by default: far above any real event, small enough to bound memory.</summary>
    public const int DefaultMaxEventBytes = 4 * 1024 * 1024;

    private readonly HttpResponseMessage _response;
    private readonly Stream _body;
    private readonly PooledBuffer? _requestBody;
    private readonly SseEventReader _reader;
    private readonly AnthropicStreamTranslator _translator;
    private bool _stopped;

    public AnthropicChunkSource(HttpResponseMessage response, Stream body, PooledBuffer? requestBody, long created, int maxEventBytes = DefaultMaxEventBytes)
    {
        _response = response;
        _body = body;
        _requestBody = requestBody;
        _reader = new SseEventReader(body, maxEventBytes);
        _translator = new AnthropicStreamTranslator(created);
    }

    public ReadOnlyMemory<byte> Chunk => _translator.Chunk;

    public ResponseFacts Facts => _translator.Facts;

    public UpstreamFailure? Failure { get; private set; }

    public async ValueTask<ChunkReadStatus> ReadAsync(CancellationToken cancellationToken)
    {
        while (!_stopped)
        {
            SseReadStatus status;
            try
            {
                status = await _reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when ((ex is IOException or HttpRequestException) && !cancellationToken.IsCancellationRequested)
            {
                return Fail(FailureKind.StreamCut, "the upstream connection broke mid-stream");
            }

            switch (status)
            {
                case SseReadStatus.TooLarge:
                    return Fail(FailureKind.InvalidResponse, "the upstream sent an oversized stream event");
                case SseReadStatus.EndOfStream:
                    return Fail(FailureKind.StreamCut, "the upstream stream ended before message_stop");
                case SseReadStatus.Event:
                default:
                    break;
            }

            switch (_translator.Translate(_reader.Data.Span, _reader.EventName))
            {
                case AnthropicStreamStep.Chunk:
                    return ChunkReadStatus.Chunk;
                case AnthropicStreamStep.Stop:
                    // The usage chunk is the last one; nothing after message_stop is read.
                    _stopped = true;
                    return _translator.WriteUsageChunk() ? ChunkReadStatus.Chunk : ChunkReadStatus.Done;
                case AnthropicStreamStep.Error:
                    Failure = _translator.Error;
                    return ChunkReadStatus.Failed;
                case AnthropicStreamStep.Malformed:
                    return Fail(FailureKind.InvalidResponse, "the upstream sent a malformed stream event");
                case AnthropicStreamStep.Skip:
                default:
                    continue;
            }
        }

        return ChunkReadStatus.Done;
    }

    public async ValueTask DisposeAsync()
    {
        await _body.DisposeAsync().ConfigureAwait(false);
        _response.Dispose();
        _reader.Dispose();
        _translator.Dispose();
        _requestBody?.Dispose();
    }

    private ChunkReadStatus Fail(FailureKind kind, string detail)
    {
        Failure = UpstreamFailure.Of(kind, detail);
        return ChunkReadStatus.Failed;
    }
}
