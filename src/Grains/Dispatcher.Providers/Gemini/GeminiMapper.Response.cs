using System.Text.Json;

namespace Dispatcher.Providers.Gemini;

/// <content>Gemini answers to OpenAI chat.completion JSON, and the pieces chunks share with it.</content>
internal static partial class GeminiMapper
{
    private const int MaxToolCallIdLength = 40;

    /// <summary>
    /// Gemini's finish reason in OpenAI's words. Only OpenAI's own values are used (SDKs parse them into enums):
    /// filters → content_filter, MAX_TOKENS → length, a turn that called functions → tool_calls, anything else → stop.
    /// </summary>
    public static string? FinishReason(string? gemini, bool calledFunctions) => gemini switch
    {
        null or "" or "FINISH_REASON_UNSPECIFIED" => null,
        "MAX_TOKENS" => FinishReasons.Length,
        _ when IsFilter(gemini) => FinishReasons.ContentFilter,
        _ => calledFunctions ? FinishReasons.ToolCalls : FinishReasons.Stop,
    };

    /// <summary>Whether Gemini stopped because a safety, recitation or blocklist filter withheld the output.</summary>
    public static bool IsFilter(string? gemini) => gemini is "SAFETY" or "RECITATION" or "BLOCKLIST" or "PROHIBITED_CONTENT"
        or "SPII" or "IMAGE_SAFETY" or "IMAGE_PROHIBITED_CONTENT" or "IMAGE_RECITATION";

    /// <summary>Writes a whole answer as a chat.completion: one choice per candidate.</summary>
    public static ResponseFacts WriteCompletion(GeminiAnswer answer, string id, long created, string model, PooledBuffer output)
    {
        var candidates = answer.Candidates.OrderBy(static c => c.Index).ToList();
        bool hasOutput = false, hasToolCalls = false;
        string? firstFinish = null;
        using (var json = new Utf8JsonWriter(output, WriterOptions))
        {
            json.WriteStartObject();
            WriteHeader(json, id, "chat.completion", created, model);
            json.WriteStartArray("choices");
            foreach (var candidate in candidates)
            {
                json.WriteStartObject();
                json.WriteNumber("index", candidate.Index);
                json.WriteStartObject("message");
                json.WriteString("role", "assistant");
                json.WriteString("content", candidate.Text);
                json.WriteNull("refusal");
                if (candidate.Calls.Count > 0)
                {
                    json.WriteStartArray("tool_calls");
                    foreach (var call in candidate.Calls)
                    {
                        WriteToolCall(json, call, index: null);
                    }

                    json.WriteEndArray();
                }

                json.WriteEndObject();
                json.WriteNull("logprobs");
                var finish = FinishReason(candidate.FinishReason, candidate.Calls.Count > 0)
                    ?? (candidate.Calls.Count > 0 ? FinishReasons.ToolCalls : FinishReasons.Stop);
                json.WriteString("finish_reason", finish);
                json.WriteEndObject();
                firstFinish ??= finish;
                hasOutput |= !string.IsNullOrEmpty(candidate.Text) || candidate.Calls.Count > 0;
                hasToolCalls |= candidate.Calls.Count > 0;
            }

            json.WriteEndArray();
            if (answer.Usage is { } usage)
            {
                WriteUsage(json, usage);
            }

            json.WriteEndObject();
        }

        return new ResponseFacts
        {
            HasOutput = hasOutput,
            HasToolCalls = hasToolCalls,
            Usage = answer.Usage,
            FinishReason = firstFinish,
            Model = model,
            Id = id,
        };
    }

    /// <summary>The members every chat.completion and chunk starts with.</summary>
    public static void WriteHeader(Utf8JsonWriter json, string id, string objectType, long created, string model)
    {
        json.WriteString("id", id);
        json.WriteString("object", objectType);
        json.WriteNumber("created", created);
        json.WriteString("model", model);
    }

    /// <summary>A tool call; <paramref name="index"/> is set in stream deltas.</summary>
    public static void WriteToolCall(Utf8JsonWriter json, GeminiFunctionCall call, int? index)
    {
        json.WriteStartObject();
        if (index is { } i)
        {
            json.WriteNumber("index", i);
        }

        json.WriteString("id", ToolCallId(call.Id));
        json.WriteString("type", "function");
        json.WriteStartObject("function");
        json.WriteString("name", call.Name);
        json.WriteString("arguments", call.Arguments);
        json.WriteEndObject();
        json.WriteEndObject();
    }

    /// <summary>OpenAI's usage object, with cached and reasoning tokens in their details.</summary>
    public static void WriteUsage(Utf8JsonWriter json, TokenUsage usage)
    {
        json.WriteStartObject("usage");
        json.WriteNumber("prompt_tokens", usage.PromptTokens);
        json.WriteNumber("completion_tokens", usage.CompletionTokens);
        json.WriteNumber("total_tokens", usage.TotalTokens);
        json.WriteStartObject("prompt_tokens_details");
        json.WriteNumber("cached_tokens", usage.CachedTokens);
        json.WriteEndObject();
        json.WriteStartObject("completion_tokens_details");
        json.WriteNumber("reasoning_tokens", usage.ReasoningTokens);
        json.WriteEndObject();
        json.WriteEndObject();
    }

    /// <summary>The answer's id: <c>chatcmpl-</c> and Gemini's responseId, or a fresh one when Gemini sent none.</summary>
    public static string CompletionId(string? responseId) =>
        "chatcmpl-" + (string.IsNullOrEmpty(responseId) ? Guid.NewGuid().ToString("N") : responseId);

    /// <summary>
    /// Gemini's own call id when it is one OpenAI accepts back (at most 40 characters of [A-Za-z0-9_-]), else
    /// <c>call_</c> and 24 random hex digits: unique across turns, so clients that key results by id keep working.
    /// </summary>
    private static string ToolCallId(string? geminiId) =>
        geminiId is { Length: > 0 and <= MaxToolCallIdLength } && geminiId.All(static c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-')
            ? geminiId
            : "call_" + Guid.NewGuid().ToString("N")[..24];
}
