namespace Dispatcher.Grains.Configuration;

/// <summary>One entry of <c>Dispatcher:Models</c>: a model alias on a provider.</summary>
public sealed class ModelOptions
{
    /// <summary>The provider that serves it. Required.</summary>
    public string? Provider { get; set; }

    /// <summary>The name sent upstream. Default: the alias itself.</summary>
    public string? UpstreamModel { get; set; }

    /// <summary>Context window in tokens, when known.</summary>
    public int? ContextWindow { get; set; }

    /// <summary>Largest output in tokens, when known.</summary>
    public int? MaxOutputTokens { get; set; }

    /// <summary>USD per million input tokens. Default 0.</summary>
    public decimal InputPricePerMTok { get; set; }

    /// <summary>USD per million input tokens served from the provider's prompt cache; null = the input price.</summary>
    public decimal? CachedInputPricePerMTok { get; set; }

    /// <summary>USD per million output tokens (reasoning tokens included). Default 0.</summary>
    public decimal OutputPricePerMTok { get; set; }

    /// <summary>What the model can take: tools, json_schema, vision…</summary>
    public List<string> Capabilities { get; set; } = [];

    /// <summary>Per-attempt timeouts.</summary>
    public ModelTimeoutOptions Timeouts { get; set; } = new();
}
