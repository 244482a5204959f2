using Dispatcher.Grains.Configuration;
using Dispatcher.Grains.Conversations;
using Dispatcher.Grains.Dispatch;
using Dispatcher.Grains.Ledger;
using Dispatcher.Grains.Providers;
using Dispatcher.Grains.Telemetry;
using Dispatcher.Silo.Authority;
using Dispatcher.Silo.Conversations;
using Dispatcher.Silo.Keys;
using Dispatcher.Silo.Ledger;
using Dispatcher.Silo.Postgres;
using Dispatcher.Silo.Telemetry;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Dispatcher.Silo.Hosting;

/// <summary>Registers the node runtime: options, authority, actors, dispatch engine, stores.</summary>
public static class DispatcherSiloExtensions
{
    /// <summary>Adds the silo: everything a node needs behind its HTTP front.</summary>
    public static IServiceCollection AddDispatcherSilo(this IServiceCollection services, IConfiguration configuration)
    {
        services.TryAddSingleton(TimeProvider.System);
        TimeOrderedTraceIds.UseForRootActivities(); // request ids, hence ledger keys, in arrival order
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

        services.AddSingleton<NodeReadiness>();
        AddAuthority(services);
        AddRequestLedger(services);
        AddConversationPins(services);
        services.AddSingleton<ConversationDirectory>();
        services.AddSingleton<DispatcherRuntime>();
        services.AddSingleton<DispatchEngine>();
        services.AddHostedService<SiloStartup>();
        services.AddHostedService<AuthorityStartup>();
        services.AddDispatcherTelemetry(configuration);
        services.AddVirtualKeys(configuration);
        return services;
    }

    // The mode is read from the bound options when the authority is first resolved, so that configuration added
    // after AddDispatcherSilo (tests, hosts) still decides it.
    private static void AddAuthority(IServiceCollection services)
    {
        services.AddPostgresDataSource();
        services.AddSingleton<PostgresProviderAuthority>();
        services.AddSingleton<IProviderAuthority>(static provider =>
            provider.GetRequiredService<IOptions<DispatcherOptions>>().Value.Cluster.IsPostgres
                ? provider.GetRequiredService<PostgresProviderAuthority>()
                : new EmbeddedProviderAuthority(provider.GetRequiredService<TimeProvider>()));
    }

    // Embedded: pins in this process. Postgres: rows every node reads, so any node serves any turn with the same pin.
    private static void AddConversationPins(IServiceCollection services)
    {
        services.AddPostgresDataSource();
        services.TryAddSingleton<IConversationPinStore>(static provider =>
            provider.GetRequiredService<IOptions<DispatcherOptions>>().Value.Cluster.IsPostgres
                ? new PostgresConversationPinStore(provider.GetRequiredService<NpgsqlDataSource>(), provider.GetRequiredService<TimeProvider>(),
                    provider.GetRequiredService<ILogger<PostgresConversationPinStore>>())
                : new InProcessConversationPinStore(provider.GetRequiredService<TimeProvider>()));
    }

    // Embedded: a SQLite file in DataDirectory. Postgres: the cluster's database, through the shared data source.
    // Chosen when first resolved, like the authority.
    private static void AddRequestLedger(IServiceCollection services)
    {
        services.AddPostgresDataSource();
        services.AddSingleton<GroupCommitLedger>(static provider =>
        {
            var dispatcher = provider.GetRequiredService<IOptions<DispatcherOptions>>().Value;
            var ledger = provider.GetRequiredService<IOptions<LedgerOptions>>().Value;
            var time = provider.GetRequiredService<TimeProvider>();
            return dispatcher.Cluster.IsPostgres
                ? new PostgresRequestLedger(provider.GetRequiredService<NpgsqlDataSource>(), ledger, time,
                    provider.GetRequiredService<ILogger<PostgresRequestLedger>>())
                : new SqliteRequestLedger(Path.Combine(dispatcher.DataDirectory, "dispatcher.db"), ledger, time,
                    provider.GetRequiredService<ILogger<SqliteRequestLedger>>());
        });
        services.AddSingleton<IRequestLedger>(static provider => provider.GetRequiredService<GroupCommitLedger>());
        services.AddHostedService(static provider => provider.GetRequiredService<GroupCommitLedger>());
    }
}
