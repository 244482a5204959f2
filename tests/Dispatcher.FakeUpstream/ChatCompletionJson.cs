using System.Buffers;

namespace Dispatcher.FakeUpstream;

/// <summary>
/// Writes chat.completion bodies and chat.completion.chunk SSE events from UTF-8 templates, field order as OpenAI sends.
/// </summary>
internal static class ChatCompletionJson
{
    /// <summary>A whole <c>chat.completion</c>. <paramref name="content"/> null means content null (a tool call).</summary>
    public static void WriteCompletion(
        IBufferWriter<byte> w, in CompletionStamp stamp, byte[]? content, PreparedToolCall? tool, ReadOnlySpan<byte> quotedFinishReason, int completionTokens)
    {
        w.Append("{\"id\":\"chatcmpl-"u8);
        w.Append(stamp.Number);
        w.Append("\",\"object\":\"chat.completion\",\"created\":"u8);
        w.Append(stamp.Created);
        w.Append(",\"model\":\""u8);
        w.Append(stamp.Model);
        w.Append("\",\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":"u8);
        WriteNullableString(w, content);
        if (tool is not null)
        {
            w.Append(",\"tool_calls\":[{\"id\":\"call_"u8);
            w.Append(stamp.Number);
            w.Append("\",\"type\":\"function\",\"function\":{\"name\":\""u8);
            w.Append(tool.Name);
            w.Append("\",\"arguments\":\""u8);
            w.Append(tool.Arguments.Whole);
            w.Append("\"}}]"u8);
        }

        w.Append(",\"refusal\":null,\"annotations\":[]}"u8);
        WriteChoiceEnd(w, quotedFinishReason);
        w.Append("],"u8);
        WriteUsage(w, stamp.PromptTokens, completionTokens);
        w.Append(",\"service_tier\":\"default\",\"system_fingerprint\":\"fp_fake\"}"u8);
    }

    /// <summary>The first event: the assistant role, and for a tool call the call's id and name.</summary>
    public static void WriteRoleChunk(IBufferWriter<byte> w, in CompletionStamp stamp, PreparedToolCall? tool)
    {
        WriteChunkStart(w, stamp);
        if (tool is null)
        {
            w.Append("{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\",\"refusal\":null}"u8);
        }
        else
        {
            w.Append("{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":null,\"tool_calls\":[{\"index\":0,\"id\":\"call_"u8);
            w.Append(stamp.Number);
            w.Append("\",\"type\":\"function\",\"function\":{\"name\":\""u8);
            w.Append(tool.Name);
            w.Append("\",\"arguments\":\"\"}}],\"refusal\":null}"u8);
        }

        WriteChoiceEnd(w, "null"u8);
        WriteChunkEnd(w, stamp);
    }

    public static void WriteContentChunk(IBufferWriter<byte> w, in CompletionStamp stamp, byte[] piece, bool toolArguments)
    {
        WriteChunkStart(w, stamp);
        w.Append(toolArguments
            ? "{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":\""u8
            : "{\"index\":0,\"delta\":{\"content\":\""u8);
        w.Append(piece);
        w.Append(toolArguments ? "\"}}]}"u8 : "\"}"u8);
        WriteChoiceEnd(w, "null"u8);
        WriteChunkEnd(w, stamp);
    }

    /// <summary>The empty delta carrying the finish reason, e.g. <c>"stop"</c> (quotes included).</summary>
    public static void WriteFinishChunk(IBufferWriter<byte> w, in CompletionStamp stamp, ReadOnlySpan<byte> quotedFinishReason)
    {
        WriteChunkStart(w, stamp);
        w.Append("{\"index\":0,\"delta\":{}"u8);
        WriteChoiceEnd(w, quotedFinishReason);
        WriteChunkEnd(w, stamp);
    }

    /// <summary>The stream_options.include_usage event: no choices, the usage of the whole answer.</summary>
    public static void WriteUsageChunk(IBufferWriter<byte> w, in CompletionStamp stamp, int completionTokens)
    {
        WriteChunkStart(w, stamp);
        w.Append("],"u8);
        WriteUsage(w, stamp.PromptTokens, completionTokens);
        w.Append("}\n\n"u8);
    }

    public static void WriteDone(IBufferWriter<byte> w) => w.Append("data: [DONE]\n\n"u8);

    public static void WriteEvent(IBufferWriter<byte> w, ReadOnlySpan<byte> json)
    {
        w.Append("data: "u8);
        w.Append(json);
        w.Append("\n\n"u8);
    }

    private static void WriteChunkStart(IBufferWriter<byte> w, in CompletionStamp stamp)
    {
        w.Append("data: {\"id\":\"chatcmpl-"u8);
        w.Append(stamp.Number);
        w.Append("\",\"object\":\"chat.completion.chunk\",\"created\":"u8);
        w.Append(stamp.Created);
        w.Append(",\"model\":\""u8);
        w.Append(stamp.Model);
        w.Append("\",\"service_tier\":\"default\",\"system_fingerprint\":\"fp_fake\",\"choices\":["u8);
    }

    private static void WriteChoiceEnd(IBufferWriter<byte> w, ReadOnlySpan<byte> quotedFinishReason)
    {
        w.Append(",\"logprobs\":null,\"finish_reason\":"u8);
        w.Append(quotedFinishReason);
        w.Append("}"u8);
    }

    private static void WriteChunkEnd(IBufferWriter<byte> w, in CompletionStamp stamp) =>
        w.Append(stamp.IncludeUsage ? "],\"usage\":null}\n\n"u8 : "]}\n\n"u8);

    private static void WriteUsage(IBufferWriter<byte> w, int promptTokens, int completionTokens)
    {
        w.Append("\"usage\":{\"prompt_tokens\":"u8);
        w.Append(promptTokens);
        w.Append(",\"completion_tokens\":"u8);
        w.Append(completionTokens);
        w.Append(",\"total_tokens\":"u8);
        w.Append(promptTokens + completionTokens);
        w.Append(",\"prompt_tokens_details\":{\"cached_tokens\":0,\"audio_tokens\":0},"u8);
        w.Append("\"completion_tokens_details\":{\"reasoning_tokens\":0,\"audio_tokens\":0,"u8);
        w.Append("\"accepted_prediction_tokens\":0,\"rejected_prediction_tokens\":0}}"u8);
    }

    private static void WriteNullableString(IBufferWriter<byte> w, byte[]? escaped)
    {
        if (escaped is null)
        {
            w.Append("null"u8);
            return;
        }

        w.Append("\""u8);
        w.Append(escaped);
        w.Append("\""u8);
    }
}
