using System.Text.Json;

namespace Dispatcher.Providers.Anthropic;

/// <summary>Anthropic's <c>stop_reason</c> as OpenAI's <c>finish_reason</c>.</summary>
internal static class AnthropicStopReasons
{
    /// <summary>
    /// end_turn, stop_sequence and pause_turn → stop; max_tokens and model_context_window_exceeded → length;
    /// tool_use → tool_calls; refusal → content_filter; anything new → stop. The reader is on the string.
    /// </summary>
    public static string ToFinishReason(ref Utf8JsonReader reader)
    {
        if (reader.ValueTextEquals("tool_use"u8))
        {
            return FinishReasons.ToolCalls;
        }

        if (reader.ValueTextEquals("max_tokens"u8) || reader.ValueTextEquals("model_context_window_exceeded"u8))
        {
            return FinishReasons.Length;
        }

        return reader.ValueTextEquals("refusal"u8) ? FinishReasons.ContentFilter : FinishReasons.Stop;
    }
}
