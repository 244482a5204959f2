using System.Text.Json;

namespace Dispatcher.Providers.Gemini;

/// <content>OpenAI <c>tools</c>/<c>tool_choice</c> (and the legacy <c>functions</c>/<c>function_call</c>) to Gemini's
/// <c>functionDeclarations</c> and <c>toolConfig.functionCallingConfig</c>.</content>
internal static partial class GeminiMapper
{
    private static UpstreamFailure? CheckTools(JsonElement root)
    {
        if (!root.TryGetProperty("tools", out var tools) || tools.ValueKind != JsonValueKind.Array)
        {
            return null;
        }

        foreach (var tool in tools.EnumerateArray())
        {
            if (tool.ValueKind != JsonValueKind.Object || Text(tool, "type") is not ("function" or null))
            {
                return UpstreamFailure.Of(FailureKind.CapabilityMismatch, "the request declares a tool type Gemini cannot take (only functions)");
            }

            if (!tool.TryGetProperty("function", out var function) || function.ValueKind != JsonValueKind.Object || Text(function, "name") is null)
            {
                return Invalid("every tool must declare a function with a name");
            }
        }

        return null;
    }

    /// <returns>Whether any function was declared.</returns>
    private static bool WriteTools(Utf8JsonWriter json, JsonElement root)
    {
        var functions = new List<JsonElement>();
        if (root.TryGetProperty("tools", out var tools) && tools.ValueKind == JsonValueKind.Array)
        {
            foreach (var tool in tools.EnumerateArray())
            {
                functions.Add(tool.GetProperty("function"));
            }
        }

        if (root.TryGetProperty("functions", out var legacy) && legacy.ValueKind == JsonValueKind.Array)
        {
            foreach (var function in legacy.EnumerateArray())
            {
                if (function.ValueKind == JsonValueKind.Object && Text(function, "name") is not null)
                {
                    functions.Add(function);
                }
            }
        }

        if (functions.Count == 0)
        {
            return false;
        }

        json.WriteStartArray("tools");
        json.WriteStartObject();
        json.WriteStartArray("functionDeclarations");
        foreach (var function in functions)
        {
            json.WriteStartObject();
            json.WriteString("name", Text(function, "name"));
            if (Text(function, "description") is { } description)
            {
                json.WriteString("description", description);
            }

            // A function without parameters must not send an empty object schema: Gemini refuses an OBJECT without properties.
            if (function.TryGetProperty("parameters", out var parameters) && GeminiSchema.HasProperties(parameters))
            {
                json.WritePropertyName("parameters");
                GeminiSchema.Write(json, parameters);
            }

            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteEndObject();
        json.WriteEndArray();
        return true;
    }

    /// <summary>auto → AUTO, none → NONE, required → ANY, one named function → ANY limited to it.</summary>
    private static void WriteToolConfig(Utf8JsonWriter json, JsonElement root)
    {
        if (!root.TryGetProperty("tool_choice", out var choice) && !root.TryGetProperty("function_call", out choice))
        {
            return;
        }

        string? mode = null;
        var allowed = new List<string>();
        if (choice.ValueKind == JsonValueKind.String)
        {
            mode = choice.GetString() switch
            {
                "auto" => "AUTO",
                "none" => "NONE",
                "required" => "ANY",
                _ => null,
            };
        }
        else if (choice.ValueKind == JsonValueKind.Object)
        {
            if (choice.TryGetProperty("allowed_tools", out var allowedTools) && allowedTools.ValueKind == JsonValueKind.Object)
            {
                mode = Text(allowedTools, "mode") == "required" ? "ANY" : "AUTO";
                if (mode == "ANY" && allowedTools.TryGetProperty("tools", out var list) && list.ValueKind == JsonValueKind.Array)
                {
                    foreach (var tool in list.EnumerateArray())
                    {
                        AddFunctionName(tool, allowed);
                    }
                }
            }
            else
            {
                mode = "ANY";
                AddFunctionName(choice, allowed);
            }
        }

        if (mode is null)
        {
            return;
        }

        json.WriteStartObject("toolConfig");
        json.WriteStartObject("functionCallingConfig");
        json.WriteString("mode", mode);
        if (allowed.Count > 0)
        {
            json.WriteStartArray("allowedFunctionNames");
            foreach (var name in allowed)
            {
                json.WriteStringValue(name);
            }

            json.WriteEndArray();
        }

        json.WriteEndObject();
        json.WriteEndObject();
    }

    /// <summary>Reads <c>{"type":"function","function":{"name":…}}</c> or the legacy <c>{"name":…}</c>.</summary>
    private static void AddFunctionName(JsonElement choice, List<string> names)
    {
        if (choice.ValueKind != JsonValueKind.Object)
        {
            return;
        }

        var name = choice.TryGetProperty("function", out var function) && function.ValueKind == JsonValueKind.Object
            ? Text(function, "name")
            : Text(choice, "name");
        if (name is not null)
        {
            names.Add(name);
        }
    }
}
