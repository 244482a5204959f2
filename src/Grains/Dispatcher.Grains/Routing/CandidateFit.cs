using System.Globalization;
using Dispatcher.Providers;
using Dispatcher.Providers.Chat;

namespace Dispatcher.Grains.Routing;

/// <summary>
/// Whether a model can take a request before it is called: the capabilities the request needs (tools, images,
/// json_schema) against the model's declared <c>Capabilities</c> (an empty list declares nothing and is not checked),
/// the output it asks for against <c>MaxOutputTokens</c>, and the prompt estimate plus output against
/// <c>ContextWindow</c>. A model that cannot take it is skipped with the reason, so a chain never dies on a
/// smaller-context fallback.
/// </summary>
public static class CandidateFit
{
    /// <summary>Capability names, as written in <c>Models:x:Capabilities</c>.</summary>
    public const string Tools = "tools";

    /// <summary>Images in messages.</summary>
    public const string Vision = "vision";

    /// <summary><c>response_format: json_schema</c>.</summary>
    public const string JsonSchema = "json_schema";

    /// <summary>Checks <paramref name="request"/> against <paramref name="model"/>; <see cref="FailureKind.None"/> when it fits.</summary>
    public static FailureKind Check(ChatRequest request, ModelDeployment model, out string? detail)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(model);
        var options = model.Options;
        detail = null;
        var missing = MissingCapability(request, options.Capabilities);
        if (missing is not null)
        {
            detail = $"skipped: the model does not declare the '{missing}' capability the request needs";
            return FailureKind.CapabilityMismatch;
        }

        if (request.MaxOutputTokens is { } asked && options.MaxOutputTokens is { } most && asked > most)
        {
            detail = string.Create(CultureInfo.InvariantCulture, $"skipped: the request asks for {asked} output tokens, the model gives at most {most}");
            return FailureKind.CapabilityMismatch;
        }

        if (options.ContextWindow is { } window)
        {
            var needed = model.Tokens.Estimate(request) + (request.MaxOutputTokens ?? 0);
            if (needed > window)
            {
                detail = string.Create(CultureInfo.InvariantCulture, $"skipped: about {needed} tokens (prompt estimate plus output) exceed the model's context window of {window}");
                return FailureKind.ContextOverflow;
            }
        }

        return FailureKind.None;
    }

    private static string? MissingCapability(ChatRequest request, List<string> declared)
    {
        if (declared.Count == 0)
        {
            return null;
        }

        if (request.HasTools && !Declares(declared, Tools))
        {
            return Tools;
        }

        if (request.HasImages && !Declares(declared, Vision))
        {
            return Vision;
        }

        return string.Equals(request.ResponseFormatType, JsonSchema, StringComparison.Ordinal) && !Declares(declared, JsonSchema) ? JsonSchema : null;
    }

    private static bool Declares(List<string> declared, string capability)
    {
        foreach (var name in declared)
        {
            if (string.Equals(name, capability, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }
}
