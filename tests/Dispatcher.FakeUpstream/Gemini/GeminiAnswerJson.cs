using System.Text.Json;

namespace Dispatcher.FakeUpstream.Gemini;

/// <summary>
/// Writes <c>GenerateContentResponse</c> JSON as Gemini sends it: whole answers pretty-printed, stream events on one
/// line. Field order follows Gemini's: candidates, promptFeedback, usageMetadata, modelVersion, responseId.
/// </summary>
internal static class GeminiAnswerJson
{
    public static readonly JsonWriterOptions Compact = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static readonly JsonWriterOptions Indented = Compact with { Indented = true };

    /// <summary>One candidate: text (JSON-escaped, no quotes) or a function call, an optional finish reason, and the usage.</summary>
    public static void WriteAnswer(Utf8JsonWriter json, in GeminiStamp stamp, byte[]? text, GeminiToolCall? call, string? finishReason, int? completionTokens)
    {
        json.WriteStartObject();
        json.WriteStartArray("candidates");
        json.WriteStartObject();
        if (text is not null || call is not null)
        {
            json.WriteStartObject("content");
            json.WriteStartArray("parts");
            json.WriteStartObject();
            if (call is not null)
            {
                json.WriteStartObject("functionCall");
                json.WriteString("name", call.Name);
                json.WritePropertyName("args");
                json.WriteRawValue(call.Arguments);
                json.WriteEndObject();
            }
            else
            {
                json.WritePropertyName("text");
                var quoted = new byte[text!.Length + 2];
                quoted[0] = (byte)'"';
                quoted[^1] = (byte)'"';
                text.CopyTo(quoted, 1);
                json.WriteRawValue(quoted, skipInputValidation: true);
            }

            json.WriteEndObject();
            json.WriteEndArray();
            json.WriteString("role", "model");
            json.WriteEndObject();
        }

        if (finishReason is not null)
        {
            json.WriteString("finishReason", finishReason);
            if (finishReason == "SAFETY")
            {
                WriteSafetyRatings(json, blocked: true);
            }
        }

        json.WriteNumber("index", 0);
        json.WriteEndObject();
        json.WriteEndArray();
        WriteTrailer(json, stamp, completionTokens);
        json.WriteEndObject();
    }

    /// <summary>A prompt the safety filter refused: no candidates, promptFeedback.blockReason SAFETY.</summary>
    public static void WritePromptBlocked(Utf8JsonWriter json, in GeminiStamp stamp)
    {
        json.WriteStartObject();
        json.WriteStartObject("promptFeedback");
        json.WriteString("blockReason", "SAFETY");
        WriteSafetyRatings(json, blocked: true);
        json.WriteEndObject();
        WriteTrailer(json, stamp, completionTokens: null);
        json.WriteEndObject();
    }

    private static void WriteTrailer(Utf8JsonWriter json, in GeminiStamp stamp, int? completionTokens)
    {
        json.WriteStartObject("usageMetadata");
        json.WriteNumber("promptTokenCount", stamp.PromptTokens);
        if (completionTokens is { } candidates)
        {
            json.WriteNumber("candidatesTokenCount", candidates);
        }

        json.WriteNumber("totalTokenCount", stamp.PromptTokens + (completionTokens ?? 0));
        json.WriteStartArray("promptTokensDetails");
        json.WriteStartObject();
        json.WriteString("modality", "TEXT");
        json.WriteNumber("tokenCount", stamp.PromptTokens);
        json.WriteEndObject();
        json.WriteEndArray();
        json.WriteEndObject();
        json.WriteString("modelVersion", stamp.Model);
        json.WriteString("responseId", stamp.ResponseId);
    }

    private static void WriteSafetyRatings(Utf8JsonWriter json, bool blocked)
    {
        json.WriteStartArray("safetyRatings");
        foreach (var (category, probability) in new[]
        {
            ("HARM_CATEGORY_SEXUALLY_EXPLICIT", "NEGLIGIBLE"),
            ("HARM_CATEGORY_HATE_SPEECH", "NEGLIGIBLE"),
            ("HARM_CATEGORY_HARASSMENT", "NEGLIGIBLE"),
            ("HARM_CATEGORY_DANGEROUS_CONTENT", "HIGH"),
        })
        {
            json.WriteStartObject();
            json.WriteString("category", category);
            json.WriteString("probability", probability);
            if (blocked && probability == "HIGH")
            {
                json.WriteBoolean("blocked", true);
            }

            json.WriteEndObject();
        }

        json.WriteEndArray();
    }
}

/// <summary>What every response of one answer repeats: the requested model, Gemini's responseId, the prompt's tokens.</summary>
internal readonly record struct GeminiStamp(string Model, string ResponseId, int PromptTokens);

/// <summary>A function call to answer with: its name and its arguments as a JSON object's text.</summary>
internal sealed record GeminiToolCall(string Name, string Arguments, int Tokens);
