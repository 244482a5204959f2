namespace Dispatcher.FakeUpstream;

/// <summary>Everything needed to write one 200 chat answer: what kind, for which request, with which text.</summary>
/// <remarks>When Tool is set (a tool-call answer), Text is unused.</remarks>
internal readonly record struct ChatAnswer(
    FakeBehaviorKind Kind, int AfterChunks, CompletionStamp Stamp, PreparedText Text, PreparedToolCall? Tool, TimeSpan ChunkDelay)
{
    public bool StopsEarly => Kind is FakeBehaviorKind.Stall or FakeBehaviorKind.Cut or FakeBehaviorKind.InBandError;

    public IReadOnlyList<byte[]> Pieces => Tool?.Arguments.Pieces ?? Text.Pieces;

    public int CompletionTokens => Tool?.Arguments.Tokens ?? Text.Tokens;

    /// <summary>The finish reason as a JSON string, quotes included.</summary>
    public ReadOnlySpan<byte> FinishReason => Kind switch
    {
        FakeBehaviorKind.ToolCall => "\"tool_calls\""u8,
        FakeBehaviorKind.ContentFilterFinish => "\"content_filter\""u8,
        _ => "\"stop\""u8,
    };
}
