using System.Text.Json;

namespace Dispatcher.Providers.Gemini;

/// <summary>
/// Rewrites a JSON Schema (function parameters, json_schema response formats) into the OpenAPI 3.0 subset Gemini's
/// <c>Schema</c> accepts: local <c>$ref</c>s inlined, <c>["string","null"]</c> and <c>anyOf [x, null]</c> turned into
/// <c>nullable</c>, <c>oneOf</c> into <c>anyOf</c>, <c>const</c> into <c>enum</c>, and the keys Gemini rejects
/// (<c>additionalProperties</c>, <c>$schema</c>, <c>$defs</c>, <c>exclusiveMinimum</c>, unsupported formats…) dropped.
/// </summary>
internal static partial class GeminiSchema
{
    private const int MaxDepth = 32;

    private static readonly string[] CopiedKeys =
    [
        "title", "minItems", "maxItems", "minLength", "maxLength", "minProperties", "maxProperties", "pattern",
        "minimum", "maximum", "default", "example",
    ];

    private static readonly string[] Formats = ["enum", "date-time", "int32", "int64", "float", "double"];

    /// <summary>Writes <paramref name="schema"/> as a Gemini Schema.</summary>
    /// <returns>False when something that constrains values had to be dropped (recursion, tuples, numeric enums…).</returns>
    public static bool Write(Utf8JsonWriter json, JsonElement schema)
    {
        var exact = true;
        WriteNode(json, schema, schema, 0, nullable: false, description: null, ref exact);
        return exact;
    }

    /// <summary>Whether the schema (after following a root <c>$ref</c>) declares at least one property.</summary>
    public static bool HasProperties(JsonElement schema)
    {
        var exact = true;
        var depth = 0;
        var node = Resolve(schema, schema, ref depth, ref exact);
        return node.ValueKind == JsonValueKind.Object && node.TryGetProperty("properties", out var properties)
            && properties.ValueKind == JsonValueKind.Object && properties.EnumerateObject().Any();
    }

    private static void WriteNode(Utf8JsonWriter json, JsonElement node, JsonElement root, int depth, bool nullable, string? description, ref bool exact)
    {
        node = Resolve(node, root, ref depth, ref exact);
        if (node.ValueKind != JsonValueKind.Object || depth > MaxDepth)
        {
            exact &= node.ValueKind is JsonValueKind.True or JsonValueKind.Object && depth <= MaxDepth;
            json.WriteStartObject();
            WriteAnnotations(json, nullable, description);
            json.WriteEndObject();
            return;
        }

        description = Text(node, "description") ?? description;
        if (TryGetUnion(node, out var union))
        {
            WriteUnion(json, union, root, depth, nullable, description, ref exact);
            return;
        }

        if (node.TryGetProperty("allOf", out var allOf) && allOf.ValueKind == JsonValueKind.Array && allOf.GetArrayLength() > 0)
        {
            exact &= allOf.GetArrayLength() == 1;
            WriteNode(json, allOf[0], root, depth + 1, nullable, description, ref exact);
            return;
        }

        json.WriteStartObject();
        var type = WriteType(json, node, ref nullable, ref exact);
        WriteAnnotations(json, nullable, description);
        foreach (var key in CopiedKeys)
        {
            if (node.TryGetProperty(key, out var value))
            {
                json.WritePropertyName(key);
                value.WriteTo(json);
            }
        }

        if (Text(node, "format") is { } format && Formats.Contains(format, StringComparer.Ordinal))
        {
            json.WriteString("format", format);
        }

        WriteEnum(json, node, type, ref exact);
        WriteObjectMembers(json, node, root, depth, ref exact);
        if (node.TryGetProperty("items", out var items))
        {
            exact &= items.ValueKind == JsonValueKind.Object;
            var item = items.ValueKind == JsonValueKind.Array && items.GetArrayLength() > 0 ? items[0] : items;
            json.WritePropertyName("items");
            WriteNode(json, item, root, depth + 1, nullable: false, description: null, ref exact);
        }

        json.WriteEndObject();
    }

    private static void WriteUnion(Utf8JsonWriter json, JsonElement union, JsonElement root, int depth, bool nullable, string? description, ref bool exact)
    {
        var branches = new List<JsonElement>(union.GetArrayLength());
        foreach (var branch in union.EnumerateArray())
        {
            if (branch.ValueKind == JsonValueKind.Object && Text(branch, "type") == "null")
            {
                nullable = true;
            }
            else
            {
                branches.Add(branch);
            }
        }

        if (branches.Count == 1)
        {
            WriteNode(json, branches[0], root, depth + 1, nullable, description, ref exact);
            return;
        }

        json.WriteStartObject();
        WriteAnnotations(json, nullable, description);
        json.WriteStartArray("anyOf");
        foreach (var branch in branches)
        {
            WriteNode(json, branch, root, depth + 1, nullable: false, description: null, ref exact);
        }

        json.WriteEndArray();
        json.WriteEndObject();
    }

    private static bool TryGetUnion(JsonElement node, out JsonElement union)
    {
        if ((node.TryGetProperty("anyOf", out union) || node.TryGetProperty("oneOf", out union))
            && union.ValueKind == JsonValueKind.Array && union.GetArrayLength() > 0)
        {
            return true;
        }

        union = default;
        return false;
    }

    /// <summary>Follows local <c>$ref</c> pointers (<c>#/$defs/X</c>, <c>#/definitions/X</c>, <c>#</c>).</summary>
    private static JsonElement Resolve(JsonElement node, JsonElement root, ref int depth, ref bool exact)
    {
        while (node.ValueKind == JsonValueKind.Object && Text(node, "$ref") is { } reference && depth <= MaxDepth)
        {
            depth++;
            if (!TryPointer(root, reference, out var target))
            {
                exact = false;
                return default;
            }

            node = target;
        }

        return node;
    }

    private static bool TryPointer(JsonElement root, string pointer, out JsonElement target)
    {
        target = root;
        if (pointer == "#")
        {
            return true;
        }

        if (!pointer.StartsWith("#/", StringComparison.Ordinal))
        {
            return false;
        }

        foreach (var segment in pointer[2..].Split('/'))
        {
            var name = segment.Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal);
            if (target.ValueKind != JsonValueKind.Object || !target.TryGetProperty(name, out target))
            {
                return false;
            }
        }

        return true;
    }

    private static string? Text(JsonElement node, string name) =>
        node.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
