using System.Buffers;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Dispatcher.Providers.Anthropic;

/// <summary>
/// Translates between OpenAI's chat completion format and Anthropic's Messages API.
/// <para>
/// Requests: system and developer messages become the top-level <c>system</c>; user, assistant and tool messages
/// become turns (consecutive ones of the same role merged, tool results as <c>tool_result</c> blocks of a user
/// turn); tools, tool_choice, parallel_tool_calls, stop, temperature (clamped to Anthropic's 0..1), top_p (only without
/// temperature: recent models refuse both), the output limit (<c>max_completion_tokens</c>, <c>max_tokens</c>, else the
/// provider's default) and <c>user</c> (as metadata.user_id) are carried. Dropped because harmless: presence/frequency
/// penalties, seed, logit_bias, logprobs, service_tier, store, reasoning_effort, stream_options (usage always comes),
/// image detail, message names, response_format json_object.
/// Refused as <see cref="FailureKind.CapabilityMismatch"/> (the next candidate may serve): n &gt; 1, a json_schema
/// response format, audio in or out, legacy functions, non-function tools, files other than base64 PDFs.
/// </para>
/// </summary>
internal static partial class AnthropicMapper
{
    /// <summary>Non-ASCII text stays as UTF-8 instead of six-byte escapes.</summary>
    internal static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private static readonly JsonDocumentOptions DocumentOptions = new() { MaxDepth = 64 };

    /// <summary>Writes the Messages API body for <paramref name="call"/> into <paramref name="output"/>.</summary>
    /// <returns>Null, or why the request cannot be sent in this format (then nothing usable was written).</returns>
    public static UpstreamFailure? WriteRequest(UpstreamCall call, bool stream, int defaultMaxTokens, IBufferWriter<byte> output)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(call.Request.Body, DocumentOptions);
        }
        catch (JsonException)
        {
            return Refused("the request body is not valid JSON");
        }

        using (document)
        {
            using var json = new Utf8JsonWriter(output, WriterOptions);
            try
            {
                return WriteBody(json, document.RootElement, call, stream, defaultMaxTokens);
            }
            catch (InvalidOperationException)
            {
                // A JsonElement read as the wrong kind: a field the front does not check had an odd type.
                return Refused("the request has a field of the wrong type");
            }
        }
    }

    private static UpstreamFailure? WriteBody(Utf8JsonWriter json, JsonElement root, UpstreamCall call, bool stream, int defaultMaxTokens)
    {
        if (root.ValueKind != JsonValueKind.Object
            || !root.TryGetProperty("messages"u8, out var messages) || messages.ValueKind != JsonValueKind.Array)
        {
            return Refused("the request has no messages array");
        }

        if (UnsupportedFeature(root) is { } feature)
        {
            return Unexpressible(feature);
        }

        json.WriteStartObject();
        json.WriteString("model"u8, call.Model.Name);
        json.WriteNumber("max_tokens"u8, call.Request.MaxOutputTokens ?? defaultMaxTokens);
        WriteSystem(json, messages);
        var turns = new TurnWriter(json);
        if (WriteMessages(turns, messages) is { } failure)
        {
            return failure;
        }

        if (turns.Count == 0)
        {
            return Unexpressible("a conversation without user or assistant messages");
        }

        WriteStopSequences(json, root);
        var hasTemperature = TryGetNumber(root, "temperature"u8, out var temperature);
        if (hasTemperature)
        {
            json.WriteNumber("temperature"u8, Math.Clamp(temperature, 0.0, 1.0));
        }

        // Recent Claude models refuse temperature and top_p together; temperature is the one clients usually mean.
        if (!hasTemperature && TryGetNumber(root, "top_p"u8, out var topP))
        {
            json.WriteNumber("top_p"u8, topP);
        }

        if (WriteTools(json, root, turns.ToolNames) is { } toolFailure)
        {
            return toolFailure;
        }

        if (root.TryGetProperty("user"u8, out var user) && user.ValueKind == JsonValueKind.String && !user.ValueEquals(""u8))
        {
            json.WriteStartObject("metadata"u8);
            json.WritePropertyName("user_id"u8);
            user.WriteTo(json);
            json.WriteEndObject();
        }

        if (stream)
        {
            json.WriteBoolean("stream"u8, true);
        }

        json.WriteEndObject();
        return null;
    }

    private static string? UnsupportedFeature(JsonElement root)
    {
        if (root.TryGetProperty("n"u8, out var n) && n.ValueKind == JsonValueKind.Number && n.TryGetInt32(out var choices) && choices > 1)
        {
            return "several choices (n > 1)";
        }

        if (root.TryGetProperty("response_format"u8, out var format) && format.ValueKind == JsonValueKind.Object
            && format.TryGetProperty("type"u8, out var formatType) && formatType.ValueKind == JsonValueKind.String
            && formatType.ValueEquals("json_schema"u8))
        {
            return "a json_schema response format";
        }

        if (IsPresent(root, "audio"u8) || (root.TryGetProperty("modalities"u8, out var modalities)
            && modalities.ValueKind == JsonValueKind.Array && modalities.EnumerateArray().Any(static m => m.ValueKind == JsonValueKind.String && m.ValueEquals("audio"u8))))
        {
            return "audio output";
        }

        return IsPresent(root, "functions"u8) || IsPresent(root, "function_call"u8) ? "legacy functions" : null;
    }

    private static void WriteSystem(Utf8JsonWriter json, JsonElement messages)
    {
        var open = false;
        foreach (var message in messages.EnumerateArray())
        {
            if (message.ValueKind != JsonValueKind.Object || !IsRole(message, "system"u8, "developer"u8)
                || !message.TryGetProperty("content"u8, out var content))
            {
                continue;
            }

            foreach (var text in TextsOf(content))
            {
                if (!open)
                {
                    json.WriteStartArray("system"u8);
                    open = true;
                }

                WriteTextBlock(json, text);
            }
        }

        if (open)
        {
            json.WriteEndArray();
        }
    }

    private static void WriteStopSequences(Utf8JsonWriter json, JsonElement root)
    {
        if (!root.TryGetProperty("stop"u8, out var stop))
        {
            return;
        }

        var open = false;
        foreach (var sequence in stop.ValueKind == JsonValueKind.Array ? stop.EnumerateArray().ToArray() : [stop])
        {
            // Anthropic refuses empty or whitespace-only stop sequences; such a sequence could never match anyway.
            if (sequence.ValueKind != JsonValueKind.String || IsBlank(sequence))
            {
                continue;
            }

            if (!open)
            {
                json.WriteStartArray("stop_sequences"u8);
                open = true;
            }

            sequence.WriteTo(json);
        }

        if (open)
        {
            json.WriteEndArray();
        }
    }

    private static bool TryGetNumber(JsonElement root, ReadOnlySpan<byte> name, out double value)
    {
        value = 0;
        return root.TryGetProperty(name, out var element) && element.ValueKind == JsonValueKind.Number
            && element.TryGetDouble(out value) && double.IsFinite(value);
    }

    private static bool IsPresent(JsonElement root, ReadOnlySpan<byte> name) =>
        root.TryGetProperty(name, out var value) && value.ValueKind is not (JsonValueKind.Null or JsonValueKind.Undefined);

    private static UpstreamFailure Refused(string detail) =>
        UpstreamFailure.Of(FailureKind.InvalidRequest, "the request cannot be translated to Anthropic's format: " + detail);

    private static UpstreamFailure Unexpressible(string feature) =>
        UpstreamFailure.Of(FailureKind.CapabilityMismatch, "Anthropic's format cannot carry " + feature);
}
