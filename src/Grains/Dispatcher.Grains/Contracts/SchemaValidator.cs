using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Dispatcher.Grains.Contracts;

/// <summary>
/// Checks an instance against a <see cref="SchemaNode"/> while reading it once with <see cref="Utf8JsonReader"/>:
/// nothing is deserialized, and an <c>anyOf</c> or <c>$ref</c> tries its branch on a copy of the reader (a struct: a
/// copy is a bookmark). Allocates only to describe the first violation it finds.
/// </summary>
internal static partial class SchemaValidator
{
    // A $ref to a $ref to ... that never reads a token would otherwise recurse forever.
    private const int MaxReferenceHops = 32;

    /// <summary>Validates the value the reader is on; leaves the reader on the value's last token.</summary>
    /// <returns>Null when valid, else where and why not.</returns>
    public static SchemaViolation? Validate(SchemaNode node, ref Utf8JsonReader reader, int hops = 0)
    {
        if (node.Never)
        {
            return new SchemaViolation(string.Empty, "no value is allowed here");
        }

        if (node.Ref is { } target)
        {
            if (hops >= MaxReferenceHops)
            {
                return new SchemaViolation(string.Empty, "the schema's references loop without reading the value");
            }

            var branch = reader;
            if (Validate(target, ref branch, hops + 1) is { } violation)
            {
                return violation;
            }
        }

        if (node.AnyOf is { } anyOf && !MatchesAny(anyOf, ref reader, hops, out var first))
        {
            return first is null ? new SchemaViolation(string.Empty, "matches none of the anyOf schemas") : first with { Message = "matches none of the anyOf schemas (first: " + first.Message + ")" };
        }

        if (node.Enum is { } literals && !MatchesEnum(literals, ref reader))
        {
            return new SchemaViolation(string.Empty, literals.Length == 1 ? $"must be {literals[0]}" : $"must be one of {string.Join(", ", literals)}");
        }

        return reader.TokenType switch
        {
            JsonTokenType.StartObject => ValidateObject(node, ref reader, hops),
            JsonTokenType.StartArray => ValidateArray(node, ref reader, hops),
            JsonTokenType.String => ValidateString(node, ref reader),
            JsonTokenType.Number => ValidateNumber(node, ref reader),
            JsonTokenType.True or JsonTokenType.False => TypeAllows(node.Types, JsonTypes.Boolean) ? null : WrongType(node.Types, "boolean"),
            _ => TypeAllows(node.Types, JsonTypes.Null) ? null : WrongType(node.Types, "null"),
        };
    }

    private static bool MatchesAny(SchemaNode[] anyOf, ref Utf8JsonReader reader, int hops, out SchemaViolation? first)
    {
        first = null;
        foreach (var branch in anyOf)
        {
            var copy = reader;
            var violation = Validate(branch, ref copy, hops);
            if (violation is null)
            {
                return true;
            }

            first ??= violation;
        }

        return false;
    }

    private static bool MatchesEnum(JsonLiteral[] literals, ref Utf8JsonReader reader)
    {
        foreach (var literal in literals)
        {
            if (literal.Matches(ref reader))
            {
                return true;
            }
        }

        return false;
    }

    private static SchemaViolation? ValidateObject(SchemaNode node, ref Utf8JsonReader reader, int hops)
    {
        if (!TypeAllows(node.Types, JsonTypes.Object))
        {
            return WrongType(node.Types, "object");
        }

        var properties = node.Properties;
        Span<bool> seen = properties.Length <= 64 ? stackalloc bool[properties.Length] : new bool[properties.Length];
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var index = IndexOf(properties, ref reader);
            if (index < 0 && node.NoAdditionalProperties)
            {
                return new SchemaViolation(string.Empty, $"property '{reader.GetString()}' is not allowed (additionalProperties is false)");
            }

            var name = index >= 0 ? properties[index].Name : null;
            var schema = index >= 0 ? properties[index].Schema : node.AdditionalProperties;
            if (schema is null && index < 0)
            {
                // An extra property nobody constrains: skip its value without reading its name.
                reader.Read();
                reader.Skip();
                continue;
            }

            // The name is read before the value moves the reader on; it is only allocated for a property with a schema.
            name ??= reader.GetString();
            reader.Read();
            if (index >= 0)
            {
                seen[index] = true;
            }

            if (schema is not null && Validate(schema, ref reader, hops) is { } violation)
            {
                return violation.Under("." + name);
            }

            if (schema is null)
            {
                reader.Skip();
            }
        }

        foreach (var required in node.Required)
        {
            if (!seen[required])
            {
                return new SchemaViolation(string.Empty, $"missing required property '{properties[required].Name}'");
            }
        }

        return null;
    }

    private static int IndexOf(SchemaProperty[] properties, ref Utf8JsonReader reader)
    {
        for (var i = 0; i < properties.Length; i++)
        {
            if (reader.ValueTextEquals(properties[i].Utf8Name))
            {
                return i;
            }
        }

        return -1;
    }

    private static SchemaViolation? ValidateArray(SchemaNode node, ref Utf8JsonReader reader, int hops)
    {
        if (!TypeAllows(node.Types, JsonTypes.Array))
        {
            return WrongType(node.Types, "array");
        }

        var count = 0;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (node.Items is { } items)
            {
                if (Validate(items, ref reader, hops) is { } violation)
                {
                    return violation.Under("[" + count.ToString(CultureInfo.InvariantCulture) + "]");
                }
            }
            else
            {
                reader.Skip();
            }

            count++;
        }

        if (count < node.MinItems)
        {
            return new SchemaViolation(string.Empty, $"has {count} items, fewer than minItems {node.MinItems}");
        }

        return count > node.MaxItems ? new SchemaViolation(string.Empty, $"has {count} items, more than maxItems {node.MaxItems}") : null;
    }
}
