using System.Text.Json;

namespace Dispatcher.Providers.Anthropic;

/// <summary>Function tools as Anthropic tools, and OpenAI's tool_choice and parallel_tool_calls as Anthropic's tool_choice.</summary>
internal static partial class AnthropicMapper
{
    private static UpstreamFailure? WriteTools(Utf8JsonWriter json, JsonElement root, HashSet<string> namesUsed)
    {
        if (!root.TryGetProperty("tools"u8, out var tools) || tools.ValueKind != JsonValueKind.Array || tools.GetArrayLength() == 0)
        {
            WriteHistoryTools(json, namesUsed);
            return null;
        }

        json.WriteStartArray("tools"u8);
        foreach (var tool in tools.EnumerateArray())
        {
            if (tool.ValueKind != JsonValueKind.Object)
            {
                return Refused("a tool is not an object");
            }

            if (tool.TryGetProperty("type"u8, out var type) && type.ValueKind == JsonValueKind.String && !type.ValueEquals("function"u8))
            {
                return Unexpressible("a tool that is not a function");
            }

            if (!tool.TryGetProperty("function"u8, out var function) || function.ValueKind != JsonValueKind.Object
                || !function.TryGetProperty("name"u8, out var name) || name.ValueKind != JsonValueKind.String)
            {
                return Refused("a tool lacks its function name");
            }

            json.WriteStartObject();
            json.WritePropertyName("name"u8);
            name.WriteTo(json);
            if (function.TryGetProperty("description"u8, out var description) && description.ValueKind == JsonValueKind.String)
            {
                json.WritePropertyName("description"u8);
                description.WriteTo(json);
            }

            json.WritePropertyName("input_schema"u8);
            if (function.TryGetProperty("parameters"u8, out var parameters) && parameters.ValueKind == JsonValueKind.Object)
            {
                parameters.WriteTo(json);
            }
            else
            {
                WriteEmptySchema(json);
            }

            json.WriteEndObject();
        }

        json.WriteEndArray();
        WriteToolChoice(json, root);
        return null;
    }

    /// <summary>
    /// Anthropic refuses tool_use blocks in a request that declares no tools, while OpenAI accepts a history of tool
    /// calls without them: declare the tools the history used, and forbid calling them, as the request meant.
    /// </summary>
    private static void WriteHistoryTools(Utf8JsonWriter json, HashSet<string> namesUsed)
    {
        if (namesUsed.Count == 0)
        {
            return;
        }

        json.WriteStartArray("tools"u8);
        foreach (var name in namesUsed.Order(StringComparer.Ordinal))
        {
            json.WriteStartObject();
            json.WriteString("name"u8, name);
            json.WritePropertyName("input_schema"u8);
            WriteEmptySchema(json);
            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteStartObject("tool_choice"u8);
        json.WriteString("type"u8, "none"u8);
        json.WriteEndObject();
    }

    /// <summary>auto → auto, none → none, required → any, a named function → tool; parallel_tool_calls false →
    /// disable_parallel_tool_use.</summary>
    private static void WriteToolChoice(Utf8JsonWriter json, JsonElement root)
    {
        var serial = root.TryGetProperty("parallel_tool_calls"u8, out var parallel) && parallel.ValueKind == JsonValueKind.False;
        string? type = null;
        var name = default(JsonElement);
        if (root.TryGetProperty("tool_choice"u8, out var choice) && choice.ValueKind == JsonValueKind.String)
        {
            type = choice.ValueEquals("required"u8) ? "any" : choice.ValueEquals("none"u8) ? "none" : choice.ValueEquals("auto"u8) ? "auto" : null;
        }
        else if (choice.ValueKind == JsonValueKind.Object && choice.TryGetProperty("function"u8, out var function)
            && function.ValueKind == JsonValueKind.Object && function.TryGetProperty("name"u8, out name) && name.ValueKind == JsonValueKind.String)
        {
            type = "tool";
        }

        if (type is null && !serial)
        {
            return;
        }

        type ??= "auto";
        json.WriteStartObject("tool_choice"u8);
        json.WriteString("type"u8, type);
        if (type == "tool")
        {
            json.WritePropertyName("name"u8);
            name.WriteTo(json);
        }

        if (serial && type != "none")
        {
            json.WriteBoolean("disable_parallel_tool_use"u8, true);
        }

        json.WriteEndObject();
    }

    private static void WriteEmptySchema(Utf8JsonWriter json)
    {
        json.WriteStartObject();
        json.WriteString("type"u8, "object"u8);
        json.WriteStartObject("properties"u8);
        json.WriteEndObject();
        json.WriteEndObject();
    }
}
