using System.Text;
using System.Text.Json;

namespace Dispatcher.Providers.Gemini;

/// <summary>
/// One <c>GenerateContentResponse</c> (a whole answer, or one event of a stream), read into what the translation needs:
/// per candidate its text (thought summaries left out), function calls and finish reason; the prompt's block reason;
/// usage normalized to OpenAI's meaning; an in-band error.
/// </summary>
internal sealed class GeminiAnswer
{
    public List<GeminiCandidate> Candidates { get; } = [];

    /// <summary><c>promptFeedback.blockReason</c>: the prompt was refused and there are no candidates.</summary>
    public string? BlockReason { get; private set; }

    public TokenUsage? Usage { get; private set; }

    public string? ModelVersion { get; private set; }

    public string? ResponseId { get; private set; }

    /// <summary>An <c>error</c> object sent with status 200 or inside a stream, classified.</summary>
    public UpstreamFailure? Error { get; private set; }

    /// <summary>Reads <paramref name="json"/>; false when it is not a GenerateContentResponse (or an error object).</summary>
    public static bool TryRead(ReadOnlyMemory<byte> json, out GeminiAnswer answer)
    {
        answer = new GeminiAnswer();
        try
        {
            using var document = JsonDocument.Parse(json, new JsonDocumentOptions { MaxDepth = 64 });
            var root = document.RootElement;
            return root.ValueKind == JsonValueKind.Object && answer.Read(root);
        }
        catch (JsonException)
        {
            return false;
        }
    }

    /// <summary>
    /// Gemini's usage in OpenAI's terms: prompt = promptTokenCount (cached included) + toolUsePromptTokenCount;
    /// completion = candidatesTokenCount + thoughtsTokenCount (thinking is billed as output); cached =
    /// cachedContentTokenCount; reasoning = thoughtsTokenCount.
    /// </summary>
    internal static TokenUsage ReadUsage(JsonElement usage)
    {
        var thoughts = Count(usage, "thoughtsTokenCount");
        return new TokenUsage(
            Count(usage, "promptTokenCount") + Count(usage, "toolUsePromptTokenCount"),
            Count(usage, "candidatesTokenCount") + thoughts,
            Count(usage, "cachedContentTokenCount"),
            thoughts);
    }

    private bool Read(JsonElement root)
    {
        if (root.TryGetProperty("error", out var error))
        {
            Error = GeminiErrors.FromErrorValue(error);
            return true;
        }

        if (root.TryGetProperty("candidates", out var candidates))
        {
            if (candidates.ValueKind != JsonValueKind.Array)
            {
                return false;
            }

            var position = 0;
            foreach (var candidate in candidates.EnumerateArray())
            {
                if (candidate.ValueKind != JsonValueKind.Object || !ReadCandidate(candidate, position++))
                {
                    return false;
                }
            }
        }

        if (root.TryGetProperty("promptFeedback", out var feedback) && feedback.ValueKind == JsonValueKind.Object)
        {
            BlockReason = Text(feedback, "blockReason");
        }

        if (root.TryGetProperty("usageMetadata", out var usage) && usage.ValueKind == JsonValueKind.Object)
        {
            Usage = ReadUsage(usage);
        }

        ModelVersion = Text(root, "modelVersion");
        ResponseId = Text(root, "responseId");
        return true;
    }

    private bool ReadCandidate(JsonElement element, int position)
    {
        var candidate = new GeminiCandidate
        {
            Index = element.TryGetProperty("index", out var index) && index.ValueKind == JsonValueKind.Number && index.TryGetInt32(out var i) ? i : position,
            FinishReason = Text(element, "finishReason"),
        };
        Candidates.Add(candidate);
        if (!element.TryGetProperty("content", out var content) || content.ValueKind == JsonValueKind.Null)
        {
            return true;
        }

        if (content.ValueKind != JsonValueKind.Object)
        {
            return false;
        }

        if (!content.TryGetProperty("parts", out var parts))
        {
            return true;
        }

        if (parts.ValueKind != JsonValueKind.Array)
        {
            return false;
        }

        StringBuilder? text = null;
        foreach (var part in parts.EnumerateArray())
        {
            if (part.ValueKind != JsonValueKind.Object)
            {
                return false;
            }

            if (part.TryGetProperty("functionCall", out var call))
            {
                if (call.ValueKind != JsonValueKind.Object || Text(call, "name") is not { } name)
                {
                    return false;
                }

                var args = call.TryGetProperty("args", out var value) && value.ValueKind == JsonValueKind.Object ? value.GetRawText() : "{}";
                candidate.Calls.Add(new GeminiFunctionCall(name, args, Text(call, "id")));
            }
            else if (Text(part, "text") is { Length: > 0 } piece
                && !(part.TryGetProperty("thought", out var thought) && thought.ValueKind == JsonValueKind.True))
            {
                (text ??= new StringBuilder()).Append(piece);
            }
        }

        candidate.Text = text?.ToString();
        return true;
    }

    private static int Count(JsonElement usage, string name) =>
        usage.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out var count) && count > 0 ? count : 0;

    private static string? Text(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}

/// <summary>One candidate of a <see cref="GeminiAnswer"/>.</summary>
internal sealed class GeminiCandidate
{
    public int Index { get; init; }

    /// <summary>The text parts joined; null when there were none.</summary>
    public string? Text { get; set; }

    public List<GeminiFunctionCall> Calls { get; } = [];

    /// <summary>Gemini's finish reason (<c>STOP</c>, <c>MAX_TOKENS</c>, <c>SAFETY</c>…), null while it generates.</summary>
    public string? FinishReason { get; init; }
}

/// <summary>A function call part: the name, the <c>args</c> object's JSON text, and Gemini's call id when it sent one.</summary>
internal readonly record struct GeminiFunctionCall(string Name, string Arguments, string? Id);
