namespace Dispatcher.FakeUpstream.Anthropic;

/// <summary>Everything needed to write one 200 Messages answer.</summary>
/// <remarks>For a tool call, Tool holds the name and the arguments split for input_json_delta events, and ToolInput
/// the arguments as raw JSON (the tool_use block's <c>input</c>); Text is unused.</remarks>
internal readonly record struct AnthropicAnswer(
    FakeBehaviorKind Kind, int AfterChunks, AnthropicStamp Stamp, PreparedText Text, PreparedToolCall? Tool, byte[]? ToolInput, TimeSpan ChunkDelay)
{
    public bool StopsEarly => Kind is FakeBehaviorKind.Stall or FakeBehaviorKind.Cut or FakeBehaviorKind.InBandError;

    public bool HasBlock => Kind != FakeBehaviorKind.ContentFilterFinish;

    public IReadOnlyList<byte[]> Pieces => Tool?.Arguments.Pieces ?? Text.Pieces;

    public int OutputTokens => Tool?.Arguments.Tokens ?? Text.Tokens;

    /// <summary>The stop_reason as a JSON string, quotes included.</summary>
    public ReadOnlySpan<byte> StopReason => Kind switch
    {
        FakeBehaviorKind.ToolCall => "\"tool_use\""u8,
        FakeBehaviorKind.ContentFilterFinish => "\"refusal\""u8,
        _ => "\"end_turn\""u8,
    };
}
