namespace Dispatcher.FakeUpstream.Anthropic;

/// <summary>What every event of one answer repeats: its number (msg_…, toolu_…), the requested model (JSON-escaped)
/// and the input tokens.</summary>
internal readonly record struct AnthropicStamp(long Number, byte[] Model, int InputTokens);
