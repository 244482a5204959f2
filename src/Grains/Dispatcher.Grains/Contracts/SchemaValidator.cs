using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Dispatcher.Grains.Contracts;

/// <summary>
/// Checks an instance against a <see cref="SchemaNode"/> while reading it once with <see cref="Utf8JsonReader"/>:
/// nothing is deserialized, and an <c>anyOf</c> or <c>$ref</c> tries its branch on a copy of the reader (a struct: a
/// copy is a bookmark). Allocates only to describe the first violation it finds.
/// </summary>
internal static class SchemaValidator
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

    private static SchemaViolation? ValidateString(SchemaNode node, ref Utf8JsonReader reader)
    {
        if (!TypeAllows(node.Types, JsonTypes.String))
        {
            return WrongType(node.Types, "string");
        }

        if (node.MinLength is null && node.MaxLength is null && node.Pattern is null)
        {
            return null;
        }

        string? text = reader.ValueIsEscaped || node.Pattern is not null ? reader.GetString()! : null;
        var length = text is null ? CountCodePoints(reader.ValueSpan) : CountCodePoints(text);
        if (length < node.MinLength)
        {
            return new SchemaViolation(string.Empty, $"is {length} characters, shorter than minLength {node.MinLength}");
        }

        if (length > node.MaxLength)
        {
            return new SchemaViolation(string.Empty, $"is {length} characters, longer than maxLength {node.MaxLength}");
        }

        if (node.Pattern is { } pattern)
        {
            try
            {
                if (!pattern.IsMatch(text!))
                {
                    return new SchemaViolation(string.Empty, $"does not match the pattern '{pattern}'");
                }
            }
            catch (RegexMatchTimeoutException)
            {
                return new SchemaViolation(string.Empty, $"could not be matched against the pattern '{pattern}' in time");
            }
        }

        return null;
    }

    private static SchemaViolation? ValidateNumber(SchemaNode node, ref Utf8JsonReader reader)
    {
        var value = reader.GetDouble();
        var isInteger = reader.TryGetInt64(out _) || (double.IsFinite(value) && Math.Floor(value) == value);
        var allowed = node.Types == JsonTypes.Any || (node.Types & JsonTypes.Number) != 0 || (isInteger && (node.Types & JsonTypes.Integer) != 0);
        if (!allowed)
        {
            return WrongType(node.Types, isInteger ? "integer" : "number");
        }

        var text = value.ToString(CultureInfo.InvariantCulture);
        if (value < node.Minimum)
        {
            return new SchemaViolation(string.Empty, $"{text} is less than the minimum {node.Minimum}");
        }

        if (value > node.Maximum)
        {
            return new SchemaViolation(string.Empty, $"{text} is greater than the maximum {node.Maximum}");
        }

        if (value <= node.ExclusiveMinimum)
        {
            return new SchemaViolation(string.Empty, $"{text} is not greater than the exclusive minimum {node.ExclusiveMinimum}");
        }

        return value >= node.ExclusiveMaximum ? new SchemaViolation(string.Empty, $"{text} is not less than the exclusive maximum {node.ExclusiveMaximum}") : null;
    }

    private static bool TypeAllows(JsonTypes allowed, JsonTypes actual) => allowed == JsonTypes.Any || (allowed & actual) != 0;

    private static SchemaViolation WrongType(JsonTypes expected, string actual) =>
        new(string.Empty, $"expected {Describe(expected)}, got {actual}");

    private static string Describe(JsonTypes types)
    {
        var names = new List<string>(2);
        foreach (var type in System.Enum.GetValues<JsonTypes>())
        {
            if (type != JsonTypes.Any && (types & type) != 0)
            {
                names.Add(type.ToString().ToLowerInvariant());
            }
        }

        return string.Join(" or ", names);
    }

    private static int CountCodePoints(ReadOnlySpan<byte> utf8)
    {
        var count = 0;
        foreach (var b in utf8)
        {
            // Every UTF-8 byte that is not a continuation byte (10xxxxxx) starts a code point.
            count += (b & 0xC0) != 0x80 ? 1 : 0;
        }

        return count;
    }

    private static int CountCodePoints(string text)
    {
        var count = 0;
        foreach (var _ in text.EnumerateRunes())
        {
            count++;
        }

        return count;
    }
}
