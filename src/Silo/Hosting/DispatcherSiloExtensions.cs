using Dispatcher.Grains.Configuration;
using Dispatcher.Grains.Dispatch;
using Dispatcher.Grains.Ledger;
using Dispatcher.Grains.Providers;
using Dispatcher.Silo.Authority;
using Dispatcher.Silo.Ledger;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Dispatcher.Silo.Hosting;

/// <summary>Registers the node runtime: options, authority, actors, dispatch engine, stores.</summary>
public static class DispatcherSiloExtensions
{
    /// <summary>Adds the silo: everything a node needs behind its HTTP front.</summary>
    public static IServiceCollection AddDispatcherSilo(this IServiceCollection services, IConfiguration configuration)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.AddOptions<DispatcherOptions>()
            .Bind(configuration.GetSection(DispatcherOptions.SectionName))
            .ValidateOnStart();
        services.AddSingleton<IPostConfigureOptions<DispatcherOptions>>(new BuiltInConfiguration());
        services.AddSingleton<IValidateOptions<DispatcherOptions>>(new DispatcherOptionsValidator());
        services.AddSingleton<IValidateOptions<DispatcherOptions>>(static provider =>
            new ReliabilityOptionsValidator(provider.GetService<Microsoft.Extensions.Hosting.IHostEnvironment>()));
        services.AddOptions<LedgerOptions>()
            .Bind(configuration.GetSection(LedgerOptions.SectionName))
            .Validate(static ledger => ledger.Retention > TimeSpan.Zero
                && (ledger.IsAsync || string.Equals(ledger.Durability, "Acknowledged", StringComparison.OrdinalIgnoreCase)),
                "Dispatcher:Ledger:Durability must be Acknowledged or Async, and Dispatcher:Ledger:Retention positive.")
            .ValidateOnStart();

        services.AddSingleton<IProviderAuthority, EmbeddedProviderAuthority>();
        services.AddSingleton(static provider => new SqliteRequestLedger(
            Path.Combine(provider.GetRequiredService<IOptions<DispatcherOptions>>().Value.DataDirectory, "dispatcher.db"),
            provider.GetRequiredService<IOptions<LedgerOptions>>().Value,
            provider.GetRequiredService<TimeProvider>(),
            provider.GetRequiredService<ILogger<SqliteRequestLedger>>()));
        services.AddSingleton<IRequestLedger>(static provider => provider.GetRequiredService<SqliteRequestLedger>());
        services.AddHostedService(static provider => provider.GetRequiredService<SqliteRequestLedger>());
        services.AddSingleton<DispatcherRuntime>();
        services.AddSingleton<DispatchEngine>();
        services.AddSingleton<NodeReadiness>();
        services.AddHostedService<SiloStartup>();
        return services;
    }
}
