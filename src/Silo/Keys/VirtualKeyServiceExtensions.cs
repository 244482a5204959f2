using System.Data.Common;
using Dispatcher.Grains.Configuration;
using Dispatcher.Grains.Keys;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Dispatcher.Silo.Postgres;
using Npgsql;

namespace Dispatcher.Silo.Keys;

/// <summary>Registers virtual keys: <c>Dispatcher:Auth</c>, the store (SQLite or PostgreSQL) and the in-memory registry.</summary>
public static partial class VirtualKeyServiceExtensions
{
    /// <summary>Adds virtual keys. A cluster registers its own <see cref="IVirtualKeyStore"/> first; this one is the fallback.</summary>
    public static IServiceCollection AddVirtualKeys(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<AuthOptions>().Bind(configuration.GetSection(AuthOptions.SectionName));
        services.AddPostgresDataSource();
        services.TryAddSingleton<IVirtualKeyStore>(static provider =>
        {
            // Embedded: the node's SQLite file. Postgres: the cluster's database, so that every node knows every key.
            var dispatcher = provider.GetRequiredService<IOptions<DispatcherOptions>>().Value;
            return dispatcher.Cluster.IsPostgres
                ? new PostgresVirtualKeyStore(provider.GetRequiredService<NpgsqlDataSource>())
                : new SqliteVirtualKeyStore(Path.Combine(dispatcher.DataDirectory, "dispatcher.db"));
        });
        services.AddSingleton<VirtualKeyRegistry>();
        services.AddHostedService<VirtualKeyStartup>();
        return services;
    }

    /// <summary>
    /// Loads the keys before the node takes requests (hosted services start before Kestrel listens). In a cluster it
    /// loads them again every <see cref="ClusterRefresh"/>, so that keys created or deleted through another node, and
    /// the spend every node has committed to the cluster's ledger, reach this one. When the store cannot be read (a
    /// cluster's database away at start) the node starts with no keys, so every keyed request is refused with 401,
    /// and tries again every <see cref="ClusterRefresh"/> until it has them.
    /// </summary>
    private sealed partial class VirtualKeyStartup(VirtualKeyRegistry registry, IOptions<DispatcherOptions> options,
        ILogger<VirtualKeyStartup> logger) : IHostedService, IDisposable
    {
        private static readonly TimeSpan ClusterRefresh = TimeSpan.FromSeconds(5);
        private readonly CancellationTokenSource _stopping = new();

        public async Task StartAsync(CancellationToken cancellationToken)
        {
            var loaded = false;
            try
            {
                await registry.LoadAsync(cancellationToken);
                loaded = true;
            }
            catch (DbException e)
            {
                LogUnavailable(logger, e.Message);
            }

            if (!loaded || options.Value.Cluster.IsPostgres)
            {
                _ = RefreshAsync(keepGoing: options.Value.Cluster.IsPostgres, failing: !loaded, _stopping.Token);
            }
        }

        public Task StopAsync(CancellationToken cancellationToken) => _stopping.CancelAsync();

        public void Dispose() => _stopping.Dispose();

        private async Task RefreshAsync(bool keepGoing, bool failing, CancellationToken stopping)
        {
            while (!stopping.IsCancellationRequested)
            {
                try
                {
                    await Task.Delay(ClusterRefresh, stopping);
                    await registry.LoadAsync(stopping);
                    if (failing)
                    {
                        LogLoaded(logger);
                        failing = false;
                    }

                    if (!keepGoing)
                    {
                        return;
                    }
                }
                catch (DbException e)
                {
                    if (!failing)
                    {
                        LogUnavailable(logger, e.Message);
                        failing = true;
                    }
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }

        [LoggerMessage(3300, LogLevel.Error, "Virtual keys could not be loaded ({Reason}): the node keeps the keys it has (none at start, so keyed requests are refused) and retries")]
        private static partial void LogUnavailable(ILogger logger, string reason);

        [LoggerMessage(3301, LogLevel.Information, "Virtual keys loaded")]
        private static partial void LogLoaded(ILogger logger);
    }
}
