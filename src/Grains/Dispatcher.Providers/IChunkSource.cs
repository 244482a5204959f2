namespace Dispatcher.Providers;

/// <summary>
/// The chunks of one streaming attempt, in OpenAI's chat.completion.chunk JSON. A read returns the next chunk, the
/// end, or the failure that ended the stream (cut, in-band error, broken framing). Disposing aborts the upstream call.
/// </summary>
public interface IChunkSource : IAsyncDisposable
{
    /// <summary>The JSON of the chunk last read; valid until the next read.</summary>
    ReadOnlyMemory<byte> Chunk { get; }

    /// <summary>What the chunk last read says.</summary>
    ResponseFacts Facts { get; }

    /// <summary>The failure that ended the stream, after a read returned <see cref="ChunkReadStatus.Failed"/>.</summary>
    UpstreamFailure? Failure { get; }

    /// <summary>
    /// True when the next chunk has already arrived and can be read without waiting: the writer then holds its flush,
    /// so chunks that arrive together leave together (one socket write, not one per chunk). Default false.
    /// </summary>
    bool HasBufferedChunk => false;

    /// <summary>Reads the next chunk.</summary>
    ValueTask<ChunkReadStatus> ReadAsync(CancellationToken cancellationToken);
}
