namespace Dispatcher.FakeUpstream;

/// <summary>Hostile upstreams: answers that never end, are far too large, or are not framed as they claim.</summary>
public sealed partial record FakeBehavior
{
    internal int Size { get; private init; }

    /// <summary>Streaming: the role chunk, then chunks with an empty delta forever (every ChunkDelay), never any content.
    /// Non-streaming: the same as <see cref="EndlessBody"/>.</summary>
    public static FakeBehavior EndlessStream() => new(FakeBehaviorKind.EndlessStream);

    /// <summary>Streaming: the role chunk, then <c>: keep-alive</c> comments forever (every ChunkDelay). Non-streaming:
    /// the same as <see cref="EndlessBody"/>.</summary>
    public static FakeBehavior EndlessKeepAlive() => new(FakeBehaviorKind.EndlessKeepAlive);

    /// <summary>One answer of <paramref name="bytes"/>: streaming, a single <c>data:</c> event that long (then [DONE]);
    /// non-streaming, a JSON body that long with its Content-Length.</summary>
    public static FakeBehavior GiganticChunk(int bytes)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(bytes, 1024);
        return new(FakeBehaviorKind.GiganticChunk) { Size = bytes };
    }

    /// <summary>200 text/event-stream whose events are separated by single newlines instead of blank lines (then the
    /// body ends); a non-streaming request gets the same bytes.</summary>
    public static FakeBehavior BrokenFraming() => new(FakeBehaviorKind.BrokenFraming);

    /// <summary>200 application/json, chunked, that starts a chat.completion and then sends whitespace forever.</summary>
    public static FakeBehavior EndlessBody() => new(FakeBehaviorKind.EndlessBody);

    /// <summary><paramref name="status"/> with an OpenAI-shaped error body of <paramref name="bytes"/> (a huge message).</summary>
    public static FakeBehavior HugeErrorBody(int status, int bytes)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(status, 400);
        ArgumentOutOfRangeException.ThrowIfLessThan(bytes, 1024);
        return new(FakeBehaviorKind.HugeErrorBody) { StatusCode = status, Size = bytes };
    }
}
