using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Dispatcher.Grains.Contracts;

// The value of each keyword, checked: a malformed one is a SchemaException naming its location.
internal sealed partial class SchemaCompiler
{
    private static int[] IndexRequired(SchemaNode node, List<string> required)
    {
        // A required name the properties do not describe must still be present: it becomes an unconstrained property.
        var properties = new List<SchemaProperty>(node.Properties);
        var indexes = new int[required.Count];
        for (var i = 0; i < required.Count; i++)
        {
            var index = properties.FindIndex(p => p.Name == required[i]);
            if (index < 0)
            {
                properties.Add(new SchemaProperty(required[i], Encoding.UTF8.GetBytes(required[i]), null));
                index = properties.Count - 1;
            }

            indexes[i] = index;
        }

        node.Properties = [.. properties];
        return indexes;
    }

    private static JsonTypes ReadTypes(JsonElement value, string at)
    {
        if (value.ValueKind == JsonValueKind.String)
        {
            return TypeNamed(value.GetString()!, at);
        }

        if (value.ValueKind != JsonValueKind.Array || value.GetArrayLength() == 0)
        {
            throw new SchemaException($"{at}: must be a type name or a non-empty array of type names.");
        }

        var types = JsonTypes.Any;
        foreach (var item in value.EnumerateArray())
        {
            types |= item.ValueKind == JsonValueKind.String ? TypeNamed(item.GetString()!, at) : throw new SchemaException($"{at}: type names are strings.");
        }

        return types;
    }

    private static JsonTypes TypeNamed(string name, string at) => name switch
    {
        "null" => JsonTypes.Null,
        "boolean" => JsonTypes.Boolean,
        "integer" => JsonTypes.Integer,
        "number" => JsonTypes.Number,
        "string" => JsonTypes.String,
        "array" => JsonTypes.Array,
        "object" => JsonTypes.Object,
        _ => throw new SchemaException($"{at}: unknown type '{name}'."),
    };

    private SchemaProperty[] ReadProperties(JsonElement value, string at)
    {
        if (value.ValueKind != JsonValueKind.Object)
        {
            throw new SchemaException($"{at}: must be an object.");
        }

        var properties = new List<SchemaProperty>();
        foreach (var property in value.EnumerateObject())
        {
            var pointer = at + "/" + property.Name.Replace("~", "~0", StringComparison.Ordinal).Replace("/", "~1", StringComparison.Ordinal);
            properties.Add(new SchemaProperty(property.Name, Encoding.UTF8.GetBytes(property.Name), At(pointer)));
        }

        return [.. properties];
    }

    private SchemaNode[] ReadSchemas(JsonElement value, string at)
    {
        if (value.ValueKind != JsonValueKind.Array || value.GetArrayLength() == 0)
        {
            throw new SchemaException($"{at}: must be a non-empty array of schemas.");
        }

        var schemas = new SchemaNode[value.GetArrayLength()];
        for (var i = 0; i < schemas.Length; i++)
        {
            schemas[i] = At(at + "/" + i.ToString(CultureInfo.InvariantCulture));
        }

        return schemas;
    }

    private static List<string> ReadStrings(JsonElement value, string at)
    {
        if (value.ValueKind != JsonValueKind.Array)
        {
            throw new SchemaException($"{at}: must be an array of property names.");
        }

        var names = new List<string>(value.GetArrayLength());
        foreach (var item in value.EnumerateArray())
        {
            names.Add(item.ValueKind == JsonValueKind.String ? item.GetString()! : throw new SchemaException($"{at}: property names are strings."));
        }

        return names;
    }

    private static JsonLiteral[] ReadLiterals(JsonElement value, string at)
    {
        if (value.ValueKind != JsonValueKind.Array || value.GetArrayLength() == 0)
        {
            throw new SchemaException($"{at}: must be a non-empty array.");
        }

        var literals = new JsonLiteral[value.GetArrayLength()];
        for (var i = 0; i < literals.Length; i++)
        {
            literals[i] = ReadLiteral(value[i], at);
        }

        return literals;
    }

    private static JsonLiteral ReadLiteral(JsonElement value, string at) => value.ValueKind switch
    {
        JsonValueKind.String => new JsonLiteral(JsonValueKind.String, value.GetString(), 0),
        JsonValueKind.Number => new JsonLiteral(JsonValueKind.Number, null, value.GetDouble()),
        JsonValueKind.True or JsonValueKind.False or JsonValueKind.Null => new JsonLiteral(value.ValueKind, null, 0),
        _ => throw new SchemaException($"{at}: only strings, numbers, booleans and null are supported as enum or const values."),
    };

    private static int ReadCount(JsonElement value, string at) =>
        value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out var count) && count >= 0
            ? count
            : throw new SchemaException($"{at}: must be a non-negative integer.");

    private static double ReadNumber(JsonElement value, string at) =>
        value.ValueKind == JsonValueKind.Number ? value.GetDouble() : throw new SchemaException($"{at}: must be a number.");

    private static Regex ReadPattern(JsonElement value, string at)
    {
        if (value.ValueKind != JsonValueKind.String)
        {
            throw new SchemaException($"{at}: must be a string.");
        }

        try
        {
            // A pattern comes from the client: bounded, so that a catastrophic one costs at most this much per value.
            return new Regex(value.GetString()!, RegexOptions.CultureInvariant, PatternTimeout);
        }
        catch (ArgumentException)
        {
            throw new SchemaException($"{at}: not a valid regular expression.");
        }
    }
}
