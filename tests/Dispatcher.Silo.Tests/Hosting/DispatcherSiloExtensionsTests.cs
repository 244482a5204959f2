using Dispatcher.Grains.Ledger;
using Dispatcher.Silo.Hosting;
using Dispatcher.Silo.Ledger;
using Dispatcher.Silo.Postgres;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Npgsql;
using Xunit;

namespace Dispatcher.Silo.Tests.Hosting;

public sealed class DispatcherSiloExtensionsTests
{
    [Fact]
    public async Task AddDispatcherSilo_PostgresMode_RegistersThePostgresLedgerOnOneSharedDataSource()
    {
        var services = Services(new()
        {
            ["Dispatcher:Cluster:Mode"] = "postgres",
            ["Dispatcher:Cluster:ConnectionString"] = "Host=127.0.0.1;Port=5432;Database=dispatcher;Username=dispatcher",
        });
        services.AddPostgresDataSource(); // as the authority's registration will: it must not add a second pool

        Assert.Single(services, static descriptor => descriptor.ServiceType == typeof(NpgsqlDataSource));
        await using var provider = services.BuildServiceProvider();
        var ledger = Assert.IsType<PostgresRequestLedger>(provider.GetRequiredService<GroupCommitLedger>());
        Assert.Contains(ledger, provider.GetServices<IHostedService>());
        Assert.Equal("Host=127.0.0.1;Port=5432;Database=dispatcher;Username=dispatcher",
            provider.GetRequiredService<NpgsqlDataSource>().ConnectionString);
    }

    [Fact]
    public async Task AddDispatcherSilo_EmbeddedMode_RegistersTheSqliteLedger()
    {
        var services = Services(new() { ["Dispatcher:DataDirectory"] = Path.Combine(Path.GetTempPath(), "dispatcher-unused") });

        await using var provider = services.BuildServiceProvider();
        var ledger = Assert.IsType<SqliteRequestLedger>(provider.GetRequiredService<GroupCommitLedger>());
        Assert.Contains(ledger, provider.GetServices<IHostedService>());
    }

    private static ServiceCollection Services(Dictionary<string, string?> settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddDispatcherSilo(configuration);
        return services;
    }
}
