using Dispatcher.Grains.Contracts;

namespace Dispatcher.Grains.Configuration;

/// <summary>One entry of <c>Dispatcher:Routes</c>: an ordered fallback chain and its policy.</summary>
public sealed partial class RouteOptions
{
    /// <summary>Model aliases, tried in order. Required, at least one.</summary>
    public List<string> Chain { get; set; } = [];

    /// <summary>Route around content filters (refusals are final by default). Default false.</summary>
    public bool ContentFilterFallback { get; set; }

    /// <summary>Default per-request cost ceiling in USD across all attempts; null = none.</summary>
    public decimal? MaxCostUsd { get; set; }

    /// <summary>Most a fallback may cost, as a multiple of the chain's first model's estimate (1.0 = never pricier); null = no limit.</summary>
    public double? MaxFallbackPriceRatio { get; set; }

    /// <summary>Output tokens assumed when pre-pricing a request that sets no <c>max_tokens</c>. Default 1000.</summary>
    public int ExpectedOutputTokens { get; set; } = 1000;

    /// <summary>Longest time for the whole request, all attempts. Default 10 min.</summary>
    public TimeSpan Deadline { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>
    /// The route's output contract: a JSON Schema (as JSON text, or <c>file:path</c>) that every answer's content
    /// must match when the request brings no <c>json_schema</c> of its own. Default null: no contract.
    /// </summary>
    public string? ResponseSchema { get; set; }

    /// <summary>On a <c>schema_violation</c>, ask the same model once more, telling it what was wrong. Default false.</summary>
    public bool SchemaRepair { get; set; }

    /// <summary><see cref="ResponseSchema"/> compiled, once (start-up validation compiles it first).</summary>
    /// <exception cref="SchemaException">The schema is malformed or its file unreadable.</exception>
    public JsonSchema? CompiledResponseSchema()
    {
        if (ResponseSchema is not { Length: > 0 } text)
        {
            return null;
        }

        // Compiling twice on a race is harmless: both results are the same schema.
        return _compiledSchema ??= JsonSchema.Compile(ReadSchemaText(text));
    }

    private JsonSchema? _compiledSchema;

    private static string ReadSchemaText(string text)
    {
        if (!text.StartsWith("file:", StringComparison.OrdinalIgnoreCase))
        {
            return text;
        }

        try
        {
            return File.ReadAllText(text[5..]);
        }
        catch (IOException error)
        {
            throw new SchemaException($"cannot read {text[5..]}: {error.Message}");
        }
        catch (UnauthorizedAccessException error)
        {
            throw new SchemaException($"cannot read {text[5..]}: {error.Message}");
        }
    }
}
