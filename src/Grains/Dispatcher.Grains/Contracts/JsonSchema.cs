using System.Text.Json;

namespace Dispatcher.Grains.Contracts;

/// <summary>
/// A compiled JSON Schema of the subset OpenAI's strict structured outputs accept: <c>type</c> (with nullable type
/// arrays), <c>properties</c>, <c>required</c>, <c>additionalProperties</c>, <c>items</c>, <c>enum</c>, <c>const</c>,
/// <c>anyOf</c>, <c>$defs</c>/<c>$ref</c>, string <c>minLength</c>/<c>maxLength</c>/<c>pattern</c>, number
/// <c>minimum</c>/<c>maximum</c>/<c>exclusiveMinimum</c>/<c>exclusiveMaximum</c> and array
/// <c>minItems</c>/<c>maxItems</c>. Other keywords are ignored. Compile once; <see cref="Validate"/> is thread-safe
/// and allocates only to describe a violation.
/// </summary>
public sealed class JsonSchema
{
    private static readonly JsonDocumentOptions DocumentOptions = new() { MaxDepth = 64 };
    private static readonly JsonReaderOptions ReaderOptions = new() { MaxDepth = 64, AllowMultipleValues = true };
    private readonly SchemaNode _root;

    private JsonSchema(SchemaNode root) => _root = root;

    /// <summary>Compiles the schema in <paramref name="utf8Json"/>.</summary>
    /// <exception cref="SchemaException">Not JSON, or a keyword of the subset is malformed.</exception>
    public static JsonSchema Compile(ReadOnlyMemory<byte> utf8Json)
    {
        try
        {
            using var document = JsonDocument.Parse(utf8Json, DocumentOptions);
            return new JsonSchema(SchemaCompiler.Compile(document.RootElement));
        }
        catch (JsonException)
        {
            throw new SchemaException("The schema is not valid JSON.");
        }
    }

    /// <summary>Compiles <paramref name="json"/> (configuration text).</summary>
    public static JsonSchema Compile(string json) => Compile(System.Text.Encoding.UTF8.GetBytes(json));

    /// <summary>Validates one JSON document.</summary>
    /// <returns>Null when it matches, else the first violation; text that is not one JSON value is a violation too.</returns>
    public SchemaViolation? Validate(ReadOnlySpan<byte> utf8Json)
    {
        try
        {
            var reader = new Utf8JsonReader(utf8Json, ReaderOptions);
            if (!reader.Read())
            {
                return new SchemaViolation(string.Empty, "the answer is empty, not JSON");
            }

            var violation = SchemaValidator.Validate(_root, ref reader);
            if (violation is not null)
            {
                return violation;
            }

            // The reader is on the value's last token; anything after it is not part of one JSON document.
            return reader.Read() ? new SchemaViolation(string.Empty, "the answer has text after its JSON value") : null;
        }
        catch (JsonException)
        {
            return new SchemaViolation(string.Empty, "the answer is not valid JSON");
        }
    }
}
