using Dispatcher.Providers.Sse;

namespace Dispatcher.Providers.OpenAi;

/// <summary>An OpenAI-compatible SSE stream: each <c>data:</c> payload is already a chat.completion.chunk.</summary>
internal sealed class OpenAiChunkSource : IChunkSource
{
    private readonly HttpResponseMessage _response;
    private readonly Stream _body;
    private readonly PooledBuffer _requestBody;
    private readonly SseEventReader _reader;
    private bool _sawFinish;
    private bool _sawChunk;

    public OpenAiChunkSource(HttpResponseMessage response, Stream body, PooledBuffer requestBody)
    {
        _response = response;
        _body = body;
        _requestBody = requestBody;
        _reader = new SseEventReader(body);
    }

    public ReadOnlyMemory<byte> Chunk { get; private set; }

    public ResponseFacts Facts { get; private set; }

    public UpstreamFailure? Failure { get; private set; }

    public bool HasBufferedChunk => _reader.HasBufferedEvent;

    public async ValueTask<ChunkReadStatus> ReadAsync(CancellationToken cancellationToken)
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
                return _sawFinish ? ChunkReadStatus.Done : Fail(FailureKind.StreamCut, "the upstream stream ended before it finished");
            case SseReadStatus.Event:
            default:
                break;
        }

        var data = _reader.Data;
        if (data.Span.SequenceEqual("[DONE]"u8))
        {
            return ChunkReadStatus.Done;
        }

        if (!OpenAiResponseScanner.TryScan(data.Span, captureModel: !_sawChunk, out var facts, out _))
        {
            return Fail(FailureKind.InvalidResponse, "the upstream sent a malformed stream chunk");
        }

        if (facts.Error is not null)
        {
            Failure = facts.Error;
            return ChunkReadStatus.Failed;
        }

        _sawChunk = true;
        _sawFinish |= facts.FinishReason is not null;
        Chunk = data;
        Facts = facts;
        return ChunkReadStatus.Chunk;
    }

    public async ValueTask DisposeAsync()
    {
        await _body.DisposeAsync().ConfigureAwait(false);
        _response.Dispose();
        _reader.Dispose();
        _requestBody.Dispose();
    }

    private ChunkReadStatus Fail(FailureKind kind, string detail)
    {
        Failure = UpstreamFailure.Of(kind, detail);
        return ChunkReadStatus.Failed;
    }
}
