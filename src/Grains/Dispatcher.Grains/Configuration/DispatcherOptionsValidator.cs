using System.Globalization;
using Microsoft.Extensions.Options;

namespace Dispatcher.Grains.Configuration;

/// <summary>
/// Checks the whole <c>Dispatcher</c> section at start-up and names the full key path of each problem
/// (<c>Dispatcher:Routes:x:Chain:1</c>), so a broken configuration never starts a node.
/// </summary>
public sealed partial class DispatcherOptionsValidator : IValidateOptions<DispatcherOptions>
{
    private readonly Func<string, string?> _environment;

    /// <summary>Creates the validator; <paramref name="environment"/> resolves <c>env:VAR</c> references.</summary>
    public DispatcherOptionsValidator(Func<string, string?>? environment = null) =>
        _environment = environment ?? Environment.GetEnvironmentVariable;

    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, DispatcherOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = new List<string>();
        const string root = DispatcherOptions.SectionName;
        if (options.MaxRequestBodyBytes < 1024)
        {
            errors.Add($"{root}:MaxRequestBodyBytes must be at least 1024.");
        }

        if (options.Retry.MaxAttemptsPerRequest < 1)
        {
            errors.Add($"{root}:Retry:MaxAttemptsPerRequest must be at least 1.");
        }

        if (options.Retry.SameCandidateRetries < 0 || options.Retry.MaxRetryAfter < TimeSpan.Zero || options.Retry.MaxRecoveryWait < TimeSpan.Zero)
        {
            errors.Add($"{root}:Retry:SameCandidateRetries, {root}:Retry:MaxRetryAfter and {root}:Retry:MaxRecoveryWait must not be negative.");
        }

        ValidateCluster(options.Cluster, errors);

        if (options.Providers.Count == 0)
        {
            errors.Add($"{root}:Providers must name at least one provider.");
        }

        foreach (var (providerName, provider) in options.Providers)
        {
            ValidateProvider($"{root}:Providers:{providerName}", provider, errors);
        }

        foreach (var (alias, model) in options.Models)
        {
            ValidateModel($"{root}:Models:{alias}", model, options, errors);
        }

        foreach (var (routeName, route) in options.Routes)
        {
            var path = $"{root}:Routes:{routeName}";
            if (route.Chain.Count == 0)
            {
                errors.Add($"{path}:Chain must name at least one model alias.");
            }

            for (var i = 0; i < route.Chain.Count; i++)
            {
                if (!options.Models.ContainsKey(route.Chain[i]))
                {
                    errors.Add($"{path}:Chain:{i.ToString(CultureInfo.InvariantCulture)} names '{route.Chain[i]}', which is not a model alias under {root}:Models.");
                }
            }

            if (route.Deadline <= TimeSpan.Zero)
            {
                errors.Add($"{path}:Deadline must be positive.");
            }

            StreamOptionsValidation.ValidateRoute(path, route, errors);
            ValidateResponseSchema(path, route, errors);
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    private void ValidateProvider(string path, ProviderOptions provider, List<string> errors)
    {
        if (string.IsNullOrWhiteSpace(provider.Kind))
        {
            errors.Add($"{path}:Kind is required ({string.Join(", ", ProviderKinds.Supported)}).");
        }
        else if (!ProviderKinds.IsSupported(provider.Kind))
        {
            var planned = ProviderKinds.Planned.Contains(provider.Kind, StringComparer.OrdinalIgnoreCase);
            var supported = string.Join(", ", ProviderKinds.Supported);
            errors.Add(planned
                ? $"{path}:Kind '{provider.Kind}' is not supported by this build yet; supported: {supported}."
                : $"{path}:Kind '{provider.Kind}' is unknown; supported: {supported}.");
        }

        if ((ProviderKinds.NeedsBaseUrl(provider.Kind) || provider.BaseUrl is not null)
            && (!Uri.TryCreate(provider.BaseUrl, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps)))
        {
            errors.Add($"{path}:BaseUrl must be an absolute http(s) URL.");
        }

        for (var i = 0; i < provider.ApiKeys.Count; i++)
        {
            var reference = provider.ApiKeys[i];
            if (string.IsNullOrEmpty(reference) || SecretReference.Resolve(reference, _environment) is null)
            {
                errors.Add($"{path}:ApiKeys:{i.ToString(CultureInfo.InvariantCulture)} is empty or names an unset environment variable ({(string.IsNullOrEmpty(reference) ? "empty" : reference)}).");
            }
        }

        if (provider.Rpm is < 1 || provider.Tpm is < 1)
        {
            errors.Add($"{path}:Rpm and {path}:Tpm must be positive when set.");
        }

        var breaker = provider.Breaker;
        if (breaker.FailureRatio is <= 0 or > 1 || breaker.MinimumThroughput < 1
            || breaker.SamplingDuration <= TimeSpan.Zero || breaker.BreakDuration <= TimeSpan.Zero)
        {
            errors.Add($"{path}:Breaker needs FailureRatio in (0, 1], MinimumThroughput >= 1 and positive SamplingDuration and BreakDuration.");
        }

        if (provider.FailureRate is < 0 or > 1)
        {
            errors.Add($"{path}:FailureRate must be between 0 and 1.");
        }
    }

    private static void ValidateCluster(ClusterOptions cluster, List<string> errors)
    {
        const string path = DispatcherOptions.SectionName + ":Cluster";
        if (!cluster.IsPostgres && !string.Equals(cluster.Mode, "Embedded", StringComparison.OrdinalIgnoreCase))
        {
            errors.Add($"{path}:Mode '{cluster.Mode}' is unknown; use Embedded or Postgres.");
        }

        if (cluster.IsPostgres && string.IsNullOrWhiteSpace(cluster.ConnectionString))
        {
            errors.Add($"{path}:ConnectionString is required when {path}:Mode is Postgres.");
        }

        if (cluster.LeaseTtl < TimeSpan.FromSeconds(1) || cluster.ReportInterval <= TimeSpan.Zero || cluster.ReportInterval * 4 > cluster.LeaseTtl)
        {
            errors.Add($"{path}:LeaseTtl must be at least 1 second and {path}:ReportInterval positive and at most a quarter of it.");
        }
    }

    private static void ValidateModel(string path, ModelOptions model, DispatcherOptions options, List<string> errors)
    {
        if (string.IsNullOrWhiteSpace(model.Provider) || !options.Providers.ContainsKey(model.Provider))
        {
            errors.Add($"{path}:Provider names '{model.Provider}', which is not a provider under {DispatcherOptions.SectionName}:Providers.");
        }

        if (model.InputPricePerMTok < 0)
        {
            errors.Add($"{path}:InputPricePerMTok must not be negative.");
        }

        if (model.CachedInputPricePerMTok < 0)
        {
            errors.Add($"{path}:CachedInputPricePerMTok must not be negative.");
        }

        if (model.OutputPricePerMTok < 0)
        {
            errors.Add($"{path}:OutputPricePerMTok must not be negative.");
        }

        if (model.ContextWindow is < 1 || model.MaxOutputTokens is < 1)
        {
            errors.Add($"{path}:ContextWindow and {path}:MaxOutputTokens must be positive when set.");
        }

        var timeouts = model.Timeouts;
        foreach (var (name, value) in new[] { ("FirstToken", timeouts.FirstToken), ("Idle", timeouts.Idle), ("Total", timeouts.Total) })
        {
            if (value <= TimeSpan.Zero)
            {
                errors.Add($"{path}:Timeouts:{name} must be positive.");
            }
        }

        StreamOptionsValidation.ValidateModel(path, model, errors);
    }
}
