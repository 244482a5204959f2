namespace Dispatcher.Grains.Configuration;

/// <summary>
/// The <c>Dispatcher:Chaos</c> section: the master switch for fault injection. The injection itself is set per provider
/// (<c>Dispatcher:Providers:&lt;name&gt;:Chaos</c>, <see cref="ProviderChaosOptions"/>) or through the operator API.
/// </summary>
public sealed class ChaosOptions
{
    /// <summary>
    /// Wraps every provider's adapter in Polly's chaos strategies and lets <c>/v1/dispatcher/chaos</c> change them.
    /// Default false: no wrapper, no injection, and the operator API refuses changes.
    /// </summary>
    public bool Enabled { get; set; }

    /// <summary>
    /// Start with <see cref="Enabled"/> in the Production environment (ASPNETCORE_ENVIRONMENT or DOTNET_ENVIRONMENT unset or
    /// <c>Production</c>). Default false: start-up fails instead.
    /// </summary>
    public bool AllowInProduction { get; set; }

    /// <summary>Seed of the injection decisions, for a reproducible run. Default null: a random sequence.</summary>
    public int? Seed { get; set; }
}
