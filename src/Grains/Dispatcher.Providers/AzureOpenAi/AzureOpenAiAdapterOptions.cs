namespace Dispatcher.Providers.AzureOpenAi;

/// <summary>Settings of an Azure OpenAI resource.</summary>
public sealed class AzureOpenAiAdapterOptions
{
    /// <summary>The GA api-version used when none is configured.</summary>
    public const string DefaultApiVersion = "2024-10-21";

    /// <summary>The resource endpoint, e.g. <c>https://my-resource.openai.azure.com</c>.</summary>
    public required Uri Endpoint { get; init; }

    /// <summary>The <c>api-version</c> query parameter. Default <c>2024-10-21</c> (the GA version of that date).</summary>
    public string ApiVersion { get; init; } = DefaultApiVersion;

    /// <summary>The deployment every model of this provider calls; null = each model's upstream name is its deployment.</summary>
    public string? Deployment { get; init; }

    /// <summary>Extra request headers.</summary>
    public IReadOnlyDictionary<string, string> Headers { get; init; } = new Dictionary<string, string>();
}
