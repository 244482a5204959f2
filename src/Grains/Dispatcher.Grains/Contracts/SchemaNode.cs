using System.Text.RegularExpressions;

namespace Dispatcher.Grains.Contracts;

/// <summary>
/// One compiled schema: the keywords of OpenAI's strict subset, resolved once (names as UTF-8, patterns as
/// <see cref="Regex"/>, references as nodes) so that validation reads the instance without allocating.
/// Mutable only while <see cref="SchemaCompiler"/> builds it (references may point back at a node being built).
/// </summary>
internal sealed class SchemaNode
{
    /// <summary>The schema <c>false</c>: nothing validates.</summary>
    public bool Never { get; set; }

    public JsonTypes Types { get; set; }

    public SchemaProperty[] Properties { get; set; } = [];

    /// <summary>Indexes into <see cref="Properties"/> of the required ones.</summary>
    public int[] Required { get; set; } = [];

    /// <summary><c>additionalProperties: false</c>.</summary>
    public bool NoAdditionalProperties { get; set; }

    public SchemaNode? AdditionalProperties { get; set; }

    public SchemaNode? Items { get; set; }

    /// <summary><c>enum</c>, or <c>const</c> as an enum of one.</summary>
    public JsonLiteral[]? Enum { get; set; }

    public SchemaNode[]? AnyOf { get; set; }

    public SchemaNode? Ref { get; set; }

    public int? MinLength { get; set; }

    public int? MaxLength { get; set; }

    public Regex? Pattern { get; set; }

    public double? Minimum { get; set; }

    public double? Maximum { get; set; }

    public double? ExclusiveMinimum { get; set; }

    public double? ExclusiveMaximum { get; set; }

    public int? MinItems { get; set; }

    public int? MaxItems { get; set; }
}

/// <summary>A property of an object schema: its name, as text for messages and as UTF-8 for matching.</summary>
internal sealed record SchemaProperty(string Name, byte[] Utf8Name, SchemaNode? Schema);
