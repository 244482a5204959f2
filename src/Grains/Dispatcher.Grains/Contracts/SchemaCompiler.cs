using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Dispatcher.Grains.Contracts;

/// <summary>
/// Builds <see cref="SchemaNode"/>s from a schema document. References (<c>#</c>, <c>#/$defs/x</c>, any JSON pointer
/// into the same document) are resolved here, once, and memoized by pointer, so a recursive schema is a cycle of
/// nodes. Keywords outside the subset (title, description, format, strict…) are ignored, as OpenAI ignores them;
/// a keyword of the subset with a malformed value is an error naming its location.
/// </summary>
internal sealed partial class SchemaCompiler
{
    private static readonly TimeSpan PatternTimeout = TimeSpan.FromMilliseconds(100);
    private readonly JsonElement _root;
    private readonly Dictionary<string, SchemaNode> _byPointer = new(StringComparer.Ordinal);

    private SchemaCompiler(JsonElement root) => _root = root;

    /// <summary>Compiles the document's root schema.</summary>
    /// <exception cref="SchemaException">The schema is malformed or uses a keyword value this subset cannot check.</exception>
    public static SchemaNode Compile(JsonElement root) => new SchemaCompiler(root).At("#");

    private SchemaNode At(string pointer)
    {
        if (_byPointer.TryGetValue(pointer, out var known))
        {
            return known;
        }

        var element = Resolve(pointer);
        var node = new SchemaNode();
        _byPointer[pointer] = node;
        Fill(node, element, pointer);
        return node;
    }

    private JsonElement Resolve(string pointer)
    {
        var element = _root;
        if (pointer == "#")
        {
            return element;
        }

        if (!pointer.StartsWith("#/", StringComparison.Ordinal))
        {
            throw new SchemaException($"'$ref' '{pointer}': only references inside the schema ('#/$defs/…') are supported.");
        }

        foreach (var raw in pointer[2..].Split('/'))
        {
            var segment = Uri.UnescapeDataString(raw).Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal);
            if (element.ValueKind == JsonValueKind.Object && element.TryGetProperty(segment, out var child))
            {
                element = child;
            }
            else if (element.ValueKind == JsonValueKind.Array && int.TryParse(segment, NumberStyles.None, CultureInfo.InvariantCulture, out var index)
                && index < element.GetArrayLength())
            {
                element = element[index];
            }
            else
            {
                throw new SchemaException($"'$ref' '{pointer}' points at nothing in the schema.");
            }
        }

        return element;
    }

    private void Fill(SchemaNode node, JsonElement schema, string at)
    {
        if (schema.ValueKind is JsonValueKind.True or JsonValueKind.False)
        {
            node.Never = schema.ValueKind == JsonValueKind.False;
            return;
        }

        if (schema.ValueKind != JsonValueKind.Object)
        {
            throw new SchemaException($"{at}: a schema must be an object or a boolean.");
        }

        List<string>? required = null;
        foreach (var keyword in schema.EnumerateObject())
        {
            var value = keyword.Value;
            var here = at + "/" + keyword.Name;
            switch (keyword.Name)
            {
                case "type":
                    node.Types = ReadTypes(value, here);
                    break;
                case "properties":
                    node.Properties = ReadProperties(value, here);
                    break;
                case "required":
                    required = ReadStrings(value, here);
                    break;
                case "additionalProperties":
                    if (value.ValueKind == JsonValueKind.False)
                    {
                        node.NoAdditionalProperties = true;
                    }
                    else if (value.ValueKind != JsonValueKind.True)
                    {
                        node.AdditionalProperties = At(here);
                    }

                    break;
                case "items":
                    node.Items = At(here);
                    break;
                case "enum":
                    node.Enum = ReadLiterals(value, here);
                    break;
                case "const":
                    node.Enum = [ReadLiteral(value, here)];
                    break;
                case "anyOf":
                    node.AnyOf = ReadSchemas(value, here);
                    break;
                case "$ref":
                    node.Ref = value.ValueKind == JsonValueKind.String ? At(value.GetString()!) : throw new SchemaException($"{here}: must be a string.");
                    break;
                case "minLength":
                    node.MinLength = ReadCount(value, here);
                    break;
                case "maxLength":
                    node.MaxLength = ReadCount(value, here);
                    break;
                case "minItems":
                    node.MinItems = ReadCount(value, here);
                    break;
                case "maxItems":
                    node.MaxItems = ReadCount(value, here);
                    break;
                case "minimum":
                    node.Minimum = ReadNumber(value, here);
                    break;
                case "maximum":
                    node.Maximum = ReadNumber(value, here);
                    break;
                case "exclusiveMinimum":
                    node.ExclusiveMinimum = ReadNumber(value, here);
                    break;
                case "exclusiveMaximum":
                    node.ExclusiveMaximum = ReadNumber(value, here);
                    break;
                case "pattern":
                    node.Pattern = ReadPattern(value, here);
                    break;
                default:
                    break;
            }
        }

        if (required is not null)
        {
            node.Required = IndexRequired(node, required);
        }
    }
}
