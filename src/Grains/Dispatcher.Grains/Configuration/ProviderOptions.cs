using Dispatcher.Grains.Providers;

namespace Dispatcher.Grains.Configuration;

/// <summary>One entry of <c>Dispatcher:Providers</c>: an upstream API, its credentials and budgets.</summary>
public sealed class ProviderOptions
{
    /// <summary>Wire format: <c>openai</c> (any OpenAI-compatible API) or <c>simulated</c>. Required.</summary>
    public string? Kind { get; set; }

    /// <summary>The API base URL, e.g. <c>https://api.openai.com/v1</c>. Required for HTTP kinds.</summary>
    public string? BaseUrl { get; set; }

    /// <summary>Credentials, literal or <c>env:VAR</c>; several form a pool. May be empty for keyless servers (vLLM, Ollama).</summary>
    public List<string> ApiKeys { get; set; } = [];

    /// <summary>Requests per minute allowed per key; null = unlimited.</summary>
    public int? Rpm { get; set; }

    /// <summary>Tokens per minute allowed per key; null = unlimited.</summary>
    public int? Tpm { get; set; }

    /// <summary>Extra request headers.</summary>
    public Dictionary<string, string> Headers { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Azure OpenAI only: the api-version.</summary>
    public string? ApiVersion { get; set; }

    /// <summary>Azure OpenAI only: the deployment.</summary>
    public string? Deployment { get; set; }

    /// <summary>The circuit breaker of each of this provider's deployments.</summary>
    public BreakerOptions Breaker { get; set; } = new();

    /// <summary>Fault injection this provider starts with; inert unless <c>Dispatcher:Chaos:Enabled</c>.</summary>
    public ProviderChaosOptions Chaos { get; set; } = new();

    /// <summary>Simulated only: share of attempts that fail (0 to 1). Default 0.</summary>
    public double FailureRate { get; set; }

    /// <summary>Simulated only: delay before answering. Default zero.</summary>
    public TimeSpan Latency { get; set; }
}
