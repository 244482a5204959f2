using Dispatcher.Grains.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Dispatcher.Silo.Postgres;

/// <summary>The cluster's PostgreSQL connection, shared by every component that uses it (authority, ledger, pins).</summary>
internal static class PostgresServiceCollectionExtensions
{
    /// <summary>
    /// Registers one <see cref="NpgsqlDataSource"/> (one connection pool) for <c>Dispatcher:Cluster:ConnectionString</c>,
    /// built when first resolved (never in Embedded mode); calling it again adds nothing. The container disposes it
    /// after the hosted services have stopped.
    /// </summary>
    public static IServiceCollection AddPostgresDataSource(this IServiceCollection services)
    {
        services.TryAddSingleton(static provider =>
        {
            var connectionString = provider.GetRequiredService<IOptions<DispatcherOptions>>().Value.Cluster.ConnectionString;
            if (string.IsNullOrWhiteSpace(connectionString))
            {
                throw new InvalidOperationException("Dispatcher:Cluster:ConnectionString is required when Dispatcher:Cluster:Mode is Postgres.");
            }

            var builder = new NpgsqlDataSourceBuilder(connectionString) { Name = "dispatcher" };
            builder.UseLoggerFactory(provider.GetRequiredService<ILoggerFactory>());
            return builder.Build();
        });
        return services;
    }
}
