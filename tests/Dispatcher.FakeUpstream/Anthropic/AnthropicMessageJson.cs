using System.Buffers;

namespace Dispatcher.FakeUpstream.Anthropic;

/// <summary>Writes Messages API bodies and SSE events from UTF-8 templates, field order as Anthropic sends them.</summary>
internal static class AnthropicMessageJson
{
    /// <summary>A whole <c>message</c>: one text block, one tool_use block, or none (a refusal).</summary>
    public static void WriteMessage(IBufferWriter<byte> w, in AnthropicAnswer answer)
    {
        WriteMessageStart(w, answer.Stamp);
        w.Append("\"content\":["u8);
        if (answer.Tool is { } tool)
        {
            WriteToolUseBlock(w, answer.Stamp, tool.Name, answer.ToolInput ?? "{}"u8.ToArray());
        }
        else if (answer.HasBlock)
        {
            w.Append("{\"type\":\"text\",\"text\":\""u8);
            w.Append(answer.Text.Whole);
            w.Append("\"}"u8);
        }

        w.Append("],\"stop_reason\":"u8);
        w.Append(answer.StopReason);
        w.Append(",\"stop_sequence\":null,"u8);
        WriteUsage(w, answer.Stamp.InputTokens, answer.OutputTokens);
        w.Append("}"u8);
    }

    public static void WriteMessageStartEvent(IBufferWriter<byte> w, in AnthropicStamp stamp)
    {
        w.Append("event: message_start\ndata: {\"type\":\"message_start\",\"message\":"u8);
        WriteMessageStart(w, stamp);
        w.Append("\"content\":[],\"stop_reason\":null,\"stop_sequence\":null,"u8);
        WriteUsage(w, stamp.InputTokens, 1);
        w.Append("}}\n\n"u8);
    }

    public static void WriteBlockStartEvent(IBufferWriter<byte> w, in AnthropicStamp stamp, PreparedToolCall? tool)
    {
        w.Append("event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":0,\"content_block\":"u8);
        if (tool is null)
        {
            w.Append("{\"type\":\"text\",\"text\":\"\"}"u8);
        }
        else
        {
            WriteToolUseBlock(w, stamp, tool.Name, "{}"u8);
        }

        w.Append("}\n\n"u8);
    }

    public static void WritePingEvent(IBufferWriter<byte> w) => w.Append("event: ping\ndata: {\"type\": \"ping\"}\n\n"u8);

    /// <summary>A text_delta, or for a tool call an input_json_delta; <paramref name="piece"/> is a JSON string body.</summary>
    public static void WriteDeltaEvent(IBufferWriter<byte> w, byte[] piece, bool toolInput)
    {
        w.Append("event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":"u8);
        w.Append(toolInput ? "{\"type\":\"input_json_delta\",\"partial_json\":\""u8 : "{\"type\":\"text_delta\",\"text\":\""u8);
        w.Append(piece);
        w.Append("\"}}\n\n"u8);
    }

    public static void WriteBlockStopEvent(IBufferWriter<byte> w) =>
        w.Append("event: content_block_stop\ndata: {\"type\":\"content_block_stop\",\"index\":0}\n\n"u8);

    /// <summary>The stop reason and the cumulative output tokens.</summary>
    public static void WriteMessageDeltaEvent(IBufferWriter<byte> w, ReadOnlySpan<byte> quotedStopReason, int outputTokens)
    {
        w.Append("event: message_delta\ndata: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":"u8);
        w.Append(quotedStopReason);
        w.Append(",\"stop_sequence\":null},\"usage\":{\"output_tokens\":"u8);
        w.Append(outputTokens);
        w.Append("}}\n\n"u8);
    }

    public static void WriteMessageStopEvent(IBufferWriter<byte> w) =>
        w.Append("event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n"u8);

    /// <summary>An <c>event: error</c> with a whole error body (as Anthropic sends when a stream fails midway).</summary>
    public static void WriteErrorEvent(IBufferWriter<byte> w, byte[] errorBody)
    {
        w.Append("event: error\ndata: "u8);
        w.Append(errorBody);
        w.Append("\n\n"u8);
    }

    /// <summary>The members before <c>content</c>: id, type, role, model.</summary>
    private static void WriteMessageStart(IBufferWriter<byte> w, in AnthropicStamp stamp)
    {
        w.Append("{\"id\":\"msg_fake"u8);
        w.Append(stamp.Number);
        w.Append("\",\"type\":\"message\",\"role\":\"assistant\",\"model\":\""u8);
        w.Append(stamp.Model);
        w.Append("\","u8);
    }

    private static void WriteToolUseBlock(IBufferWriter<byte> w, in AnthropicStamp stamp, byte[] escapedName, ReadOnlySpan<byte> input)
    {
        w.Append("{\"type\":\"tool_use\",\"id\":\"toolu_fake"u8);
        w.Append(stamp.Number);
        w.Append("\",\"name\":\""u8);
        w.Append(escapedName);
        w.Append("\",\"input\":"u8);
        w.Append(input);
        w.Append("}"u8);
    }

    private static void WriteUsage(IBufferWriter<byte> w, int inputTokens, int outputTokens)
    {
        w.Append("\"usage\":{\"input_tokens\":"u8);
        w.Append(inputTokens);
        w.Append(",\"cache_creation_input_tokens\":0,\"cache_read_input_tokens\":0,\"output_tokens\":"u8);
        w.Append(outputTokens);
        w.Append(",\"service_tier\":\"standard\"}"u8);
    }
}
