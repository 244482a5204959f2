using System.Text.Encodings.Web;
using System.Text.Json;
using Dispatcher.Providers.Chat;

namespace Dispatcher.Providers.Gemini;

/// <summary>
/// Translates between OpenAI's chat completions format and Gemini's <c>generateContent</c>: the client's body into a
/// <c>GenerateContentRequest</c>, and <c>GenerateContentResponse</c>s back into chat.completion JSON.
/// </summary>
/// <remarks>
/// Dropped because Gemini has no equivalent and the answer keeps its meaning without them: <c>logit_bias</c>,
/// <c>logprobs</c>/<c>top_logprobs</c>, <c>parallel_tool_calls</c>, <c>user</c>, <c>metadata</c>, <c>store</c>,
/// <c>service_tier</c>, <c>prediction</c>, <c>modalities</c>/<c>audio</c>, message <c>name</c>s, and thought signatures
/// of earlier turns (see <see cref="GeminiModelFamily.NeedsThoughtSignatures"/>). Content parts Gemini cannot take
/// (OpenAI file ids, unknown part types, non-function tools) make the candidate a <c>capability_mismatch</c>.
/// </remarks>
internal static partial class GeminiMapper
{
    /// <summary>Google's documented value for a replayed function call whose real thought signature is unknown.</summary>
    internal const string SkipSignature = "skip_thought_signature_validator";

    /// <summary>UTF-8 as is: JSON for an API, never embedded in HTML.</summary>
    internal static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>Writes the <c>generateContent</c> body for <paramref name="request"/> into <paramref name="output"/>.</summary>
    /// <returns>Null, or why the request cannot be sent to Gemini (nothing is written then).</returns>
    public static UpstreamFailure? WriteRequest(ChatRequest request, string model, PooledBuffer output)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(request.Body, new JsonDocumentOptions { MaxDepth = 64 });
        }
        catch (JsonException)
        {
            return Invalid("the body is not valid JSON");
        }

        using (document)
        {
            var root = document.RootElement;
            if (!root.TryGetProperty("messages", out var messages) || messages.ValueKind != JsonValueKind.Array)
            {
                return Invalid("'messages' must be an array");
            }

            var system = new List<GeminiPart>();
            var contents = new List<GeminiContent>();
            var failure = ReadMessages(messages, system, contents) ?? CheckTools(root);
            if (failure is not null)
            {
                return failure;
            }

            if (contents.Count == 0)
            {
                // Gemini needs at least one content: a prompt made only of instructions is sent as the user's turn.
                Append(contents, "user", system);
                system = [];
            }

            using var json = new Utf8JsonWriter(output, WriterOptions);
            json.WriteStartObject();
            WriteContents(json, contents, GeminiModelFamily.NeedsThoughtSignatures(model));
            if (system.Count > 0)
            {
                json.WriteStartObject("systemInstruction");
                WriteParts(json, system, signFunctionCalls: false);
                json.WriteEndObject();
            }

            var declared = WriteTools(json, root);
            if (declared)
            {
                WriteToolConfig(json, root);
            }

            WriteGenerationConfig(json, root, request, model);
            json.WriteEndObject();
        }

        return null;
    }

    private static void WriteContents(Utf8JsonWriter json, List<GeminiContent> contents, bool signFunctionCalls)
    {
        json.WriteStartArray("contents");
        foreach (var content in contents)
        {
            json.WriteStartObject();
            json.WriteString("role", content.Role);
            WriteParts(json, content.Parts, signFunctionCalls);
            json.WriteEndObject();
        }

        json.WriteEndArray();
    }

    private static void WriteParts(Utf8JsonWriter json, List<GeminiPart> parts, bool signFunctionCalls)
    {
        json.WriteStartArray("parts");
        foreach (var part in parts)
        {
            json.WriteStartObject();
            switch (part.Kind)
            {
                case GeminiPartKind.Text:
                    json.WriteString("text", part.First);
                    break;
                case GeminiPartKind.InlineData:
                    json.WriteStartObject("inlineData");
                    json.WriteString("mimeType", part.First);
                    json.WriteString("data", part.Second);
                    json.WriteEndObject();
                    break;
                case GeminiPartKind.FileData:
                    json.WriteStartObject("fileData");
                    if (part.Second is not null)
                    {
                        json.WriteString("mimeType", part.Second);
                    }

                    json.WriteString("fileUri", part.First);
                    json.WriteEndObject();
                    break;
                case GeminiPartKind.FunctionCall:
                    json.WriteStartObject("functionCall");
                    json.WriteString("name", part.First);
                    json.WritePropertyName("args");
                    WriteObjectOrWrapped(json, part.Second, "arguments", emptyIsObject: true);
                    json.WriteEndObject();
                    if (signFunctionCalls)
                    {
                        json.WriteString("thoughtSignature", SkipSignature);
                    }

                    break;
                case GeminiPartKind.FunctionResponse:
                default:
                    json.WriteStartObject("functionResponse");
                    json.WriteString("name", part.First);
                    json.WritePropertyName("response");
                    WriteObjectOrWrapped(json, part.Second, "content", emptyIsObject: false);
                    json.WriteEndObject();
                    break;
            }

            json.WriteEndObject();
        }

        json.WriteEndArray();
    }

    /// <summary>
    /// Gemini's <c>args</c> and <c>response</c> are JSON objects: text that is one is written as is, anything else is
    /// wrapped as <c>{"<paramref name="wrapName"/>": text}</c>.
    /// </summary>
    private static void WriteObjectOrWrapped(Utf8JsonWriter json, string? text, string wrapName, bool emptyIsObject)
    {
        if (string.IsNullOrWhiteSpace(text) && emptyIsObject)
        {
            json.WriteStartObject();
            json.WriteEndObject();
            return;
        }

        if (IsJsonObject(text))
        {
            json.WriteRawValue(text!);
            return;
        }

        json.WriteStartObject();
        json.WriteString(wrapName, text);
        json.WriteEndObject();
    }

    private static bool IsJsonObject(string? text)
    {
        if (text is null || !text.AsSpan().TrimStart().StartsWith("{", StringComparison.Ordinal))
        {
            return false;
        }

        try
        {
            using var document = JsonDocument.Parse(text);
            return document.RootElement.ValueKind == JsonValueKind.Object;
        }
        catch (JsonException)
        {
            return false;
        }
    }
}
