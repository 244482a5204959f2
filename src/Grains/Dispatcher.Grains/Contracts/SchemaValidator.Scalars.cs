using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Dispatcher.Grains.Contracts;

// Strings and numbers: type, length (in code points, as JSON Schema counts), pattern and bounds.
internal static partial class SchemaValidator
{
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
