using System.Text.Json;
using Dispatcher.Providers.Chat;

namespace Dispatcher.Providers.Gemini;

/// <content>OpenAI sampling and output options to Gemini's <c>generationConfig</c>.</content>
internal static partial class GeminiMapper
{
    private static readonly (string OpenAi, string Gemini)[] NumberOptions =
    [
        ("temperature", "temperature"),
        ("top_p", "topP"),
        ("top_k", "topK"),
        ("seed", "seed"),
        ("presence_penalty", "presencePenalty"),
        ("frequency_penalty", "frequencyPenalty"),
        ("n", "candidateCount"),
    ];

    private static void WriteGenerationConfig(Utf8JsonWriter json, JsonElement root, ChatRequest request, string model)
    {
        var started = false;
        foreach (var (openAi, gemini) in NumberOptions)
        {
            if (root.TryGetProperty(openAi, out var value) && value.ValueKind == JsonValueKind.Number)
            {
                Start(json, ref started);
                json.WritePropertyName(gemini);
                value.WriteTo(json);
            }
        }

        if (request.MaxOutputTokens is { } maxTokens)
        {
            Start(json, ref started);
            json.WriteNumber("maxOutputTokens", maxTokens);
        }

        WriteStopSequences(json, root, ref started);
        WriteResponseFormat(json, root, ref started);
        WriteThinking(json, root, model, ref started);
        if (started)
        {
            json.WriteEndObject();
        }
    }

    private static void Start(Utf8JsonWriter json, ref bool started)
    {
        if (!started)
        {
            json.WriteStartObject("generationConfig");
            started = true;
        }
    }

    private static void WriteStopSequences(Utf8JsonWriter json, JsonElement root, ref bool started)
    {
        if (!root.TryGetProperty("stop", out var stop) || stop.ValueKind is not (JsonValueKind.String or JsonValueKind.Array))
        {
            return;
        }

        Start(json, ref started);
        json.WriteStartArray("stopSequences");
        if (stop.ValueKind == JsonValueKind.String)
        {
            stop.WriteTo(json);
        }
        else
        {
            foreach (var sequence in stop.EnumerateArray())
            {
                if (sequence.ValueKind == JsonValueKind.String)
                {
                    sequence.WriteTo(json);
                }
            }
        }

        json.WriteEndArray();
    }

    /// <summary>
    /// json_object and json_schema ask for <c>application/json</c>; a json_schema's schema goes in
    /// <c>responseSchema</c> when Gemini's schema subset can state it without loosening it, else the MIME type alone
    /// asks for JSON and the route's schema check (if any) judges the answer.
    /// </summary>
    private static void WriteResponseFormat(Utf8JsonWriter json, JsonElement root, ref bool started)
    {
        if (!root.TryGetProperty("response_format", out var format) || format.ValueKind != JsonValueKind.Object
            || Text(format, "type") is not ("json_object" or "json_schema"))
        {
            return;
        }

        Start(json, ref started);
        json.WriteString("responseMimeType", "application/json");
        if (!format.TryGetProperty("json_schema", out var jsonSchema) || jsonSchema.ValueKind != JsonValueKind.Object
            || !jsonSchema.TryGetProperty("schema", out var schema) || schema.ValueKind != JsonValueKind.Object)
        {
            return;
        }

        var buffer = new PooledBuffer(1024);
        try
        {
            bool exact;
            using (var schemaJson = new Utf8JsonWriter(buffer, WriterOptions))
            {
                exact = GeminiSchema.Write(schemaJson, schema);
            }

            if (exact)
            {
                json.WritePropertyName("responseSchema");
                json.WriteRawValue(buffer.WrittenSpan, skipInputValidation: true);
            }
        }
        finally
        {
            buffer.Dispose();
        }
    }

    /// <summary>
    /// <c>reasoning_effort</c>: Gemini 3 takes a thinking level (low or high); Gemini 2.5 a thinking budget, with the
    /// budgets Google's own OpenAI compatibility uses (low 1024, medium 8192, high 24576, none 0 where thinking can
    /// be turned off). Older models and aliases without a version do not think on request: the option is dropped.
    /// </summary>
    private static void WriteThinking(Utf8JsonWriter json, JsonElement root, string model, ref bool started)
    {
        if (Text(root, "reasoning_effort") is not { } effort)
        {
            return;
        }

        var major = GeminiModelFamily.Major(model, out _);
        string? level = null;
        int? budget = null;
        if (major >= 3)
        {
            level = effort switch
            {
                "minimal" or "low" => "low",
                "medium" or "high" => "high",
                _ => null,
            };
        }
        else if (major == 2 && model.Contains("2.5", StringComparison.Ordinal))
        {
            budget = effort switch
            {
                "none" when !model.Contains("pro", StringComparison.OrdinalIgnoreCase) => 0,
                "minimal" or "low" => 1024,
                "medium" => 8192,
                "high" => 24576,
                _ => null,
            };
        }

        if (level is null && budget is null)
        {
            return;
        }

        Start(json, ref started);
        json.WriteStartObject("thinkingConfig");
        if (level is not null)
        {
            json.WriteString("thinkingLevel", level);
        }
        else
        {
            json.WriteNumber("thinkingBudget", budget!.Value);
        }

        json.WriteEndObject();
    }
}
