using System.Text.Json;

namespace Dispatcher.Providers.Gemini;

/// <content>The keywords of one schema node: type, nullable, description, enum, properties and required.</content>
internal static partial class GeminiSchema
{
    /// <summary>Writes <c>type</c> (a type list becomes one type plus nullable) and returns it.</summary>
    private static string? WriteType(Utf8JsonWriter json, JsonElement node, ref bool nullable, ref bool exact)
    {
        string? type = null;
        if (node.TryGetProperty("type", out var declared))
        {
            if (declared.ValueKind == JsonValueKind.String)
            {
                type = declared.GetString();
            }
            else if (declared.ValueKind == JsonValueKind.Array)
            {
                var others = 0;
                foreach (var entry in declared.EnumerateArray())
                {
                    var name = entry.ValueKind == JsonValueKind.String ? entry.GetString() : null;
                    if (name == "null")
                    {
                        nullable = true;
                    }
                    else if (name is not null && others++ == 0)
                    {
                        type = name;
                    }
                }

                exact &= others <= 1;
            }
        }

        if (type == "null")
        {
            nullable = true;
            type = null;
        }

        type ??= node.TryGetProperty("properties", out _) ? "object"
            : node.TryGetProperty("items", out _) ? "array"
            : node.TryGetProperty("enum", out _) || node.TryGetProperty("const", out _) ? "string"
            : null;
        if (type is not null)
        {
            json.WriteString("type", type);
        }

        return type;
    }

    private static void WriteAnnotations(Utf8JsonWriter json, bool nullable, string? description)
    {
        if (description is not null)
        {
            json.WriteString("description", description);
        }

        if (nullable)
        {
            json.WriteBoolean("nullable", true);
        }
    }

    /// <summary>Gemini enums are strings: a <c>const</c> becomes a one-value enum, a numeric enum is dropped.</summary>
    private static void WriteEnum(Utf8JsonWriter json, JsonElement node, string? type, ref bool exact)
    {
        var values = node.TryGetProperty("enum", out var list) && list.ValueKind == JsonValueKind.Array ? list
            : node.TryGetProperty("const", out var single) ? single : default;
        if (values.ValueKind == JsonValueKind.Undefined)
        {
            return;
        }

        var strings = values.ValueKind == JsonValueKind.Array
            ? values.EnumerateArray().All(static v => v.ValueKind is JsonValueKind.String or JsonValueKind.Null)
            : values.ValueKind == JsonValueKind.String;
        if (!strings || type != "string")
        {
            exact = false;
            return;
        }

        json.WriteStartArray("enum");
        if (values.ValueKind == JsonValueKind.Array)
        {
            foreach (var value in values.EnumerateArray())
            {
                if (value.ValueKind == JsonValueKind.String)
                {
                    value.WriteTo(json);
                }
            }
        }
        else
        {
            values.WriteTo(json);
        }

        json.WriteEndArray();
    }

    private static void WriteObjectMembers(Utf8JsonWriter json, JsonElement node, JsonElement root, int depth, ref bool exact)
    {
        if (!node.TryGetProperty("properties", out var properties) || properties.ValueKind != JsonValueKind.Object
            || !properties.EnumerateObject().Any())
        {
            return;
        }

        json.WriteStartObject("properties");
        foreach (var property in properties.EnumerateObject())
        {
            json.WritePropertyName(property.Name);
            WriteNode(json, property.Value, root, depth + 1, nullable: false, description: null, ref exact);
        }

        json.WriteEndObject();
        if (node.TryGetProperty("required", out var required) && required.ValueKind == JsonValueKind.Array)
        {
            json.WriteStartArray("required");
            foreach (var name in required.EnumerateArray())
            {
                if (name.ValueKind == JsonValueKind.String && properties.TryGetProperty(name.GetString()!, out _))
                {
                    name.WriteTo(json);
                }
            }

            json.WriteEndArray();
        }

        if (node.TryGetProperty("propertyOrdering", out var ordering) && ordering.ValueKind == JsonValueKind.Array)
        {
            json.WritePropertyName("propertyOrdering");
            ordering.WriteTo(json);
        }
    }
}
