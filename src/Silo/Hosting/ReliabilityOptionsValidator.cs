using Dispatcher.Grains.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Dispatcher.Silo.Hosting;

/// <summary>
/// Validates the reliability settings at start-up: chaos refused in the Production environment unless
/// <c>Dispatcher:Chaos:AllowInProduction</c> says so, each provider's chaos settings in range, the header limit sane.
/// "Production" is the host environment's name (ASPNETCORE_ENVIRONMENT or DOTNET_ENVIRONMENT), which .NET takes to be
/// Production when neither is set: a node started without saying otherwise is treated as production.
/// </summary>
internal sealed class ReliabilityOptionsValidator(IHostEnvironment? environment) : IValidateOptions<DispatcherOptions>
{
    private const string Root = DispatcherOptions.SectionName;

    public ValidateOptionsResult Validate(string? name, DispatcherOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = new List<string>();
        if (options.Chaos.Enabled && !options.Chaos.AllowInProduction && (environment is null || environment.IsProduction()))
        {
            errors.Add($"{Root}:Chaos:Enabled is true in the Production environment (ASPNETCORE_ENVIRONMENT / DOTNET_ENVIRONMENT unset or "
                + $"'Production'): fault injection is refused there unless {Root}:Chaos:AllowInProduction=true says so explicitly.");
        }

        foreach (var (provider, settings) in options.Providers)
        {
            if (settings.Chaos.ToSettings().Problem() is { } problem)
            {
                errors.Add($"{Root}:Providers:{provider}:Chaos: {problem}");
            }
        }

        if (options.MaxRequestHeaderBytes is < 1024 or > 64 * 1024)
        {
            errors.Add($"{Root}:MaxRequestHeaderBytes must be from 1024 to 65536 (Kestrel's own limit is 64 KiB).");
        }

        if (options.Shutdown.DrainTimeout < TimeSpan.Zero || options.Shutdown.DrainTimeout > TimeSpan.FromHours(1))
        {
            errors.Add($"{Root}:Shutdown:DrainTimeout must be from 00:00:00 to 01:00:00.");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
