namespace Dispatcher.Providers;

/// <summary>What <see cref="IChunkSource.ReadAsync"/> found.</summary>
public enum ChunkReadStatus
{
    /// <summary>A chunk is ready.</summary>
    Chunk,

    /// <summary>The stream ended cleanly (<c>[DONE]</c>, or the end after a finish reason).</summary>
    Done,

    /// <summary>The stream failed; see <see cref="IChunkSource.Failure"/>.</summary>
    Failed,
}
