using Dispatcher.Grains.Configuration;
using Dispatcher.Grains.Keys;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Dispatcher.Silo.Keys;

/// <summary>Registers virtual keys: <c>Dispatcher:Auth</c>, the Embedded store and the in-memory registry.</summary>
public static class VirtualKeyServiceExtensions
{
    /// <summary>Adds virtual keys. A cluster registers its own <see cref="IVirtualKeyStore"/> first; this one is the fallback.</summary>
    public static IServiceCollection AddVirtualKeys(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<AuthOptions>().Bind(configuration.GetSection(AuthOptions.SectionName));
        services.TryAddSingleton<IVirtualKeyStore>(static provider => new SqliteVirtualKeyStore(
            Path.Combine(provider.GetRequiredService<IOptions<DispatcherOptions>>().Value.DataDirectory, "dispatcher.db")));
        services.AddSingleton<VirtualKeyRegistry>();
        services.AddHostedService<VirtualKeyStartup>();
        return services;
    }

    /// <summary>Loads the keys before the node takes requests (hosted services start before Kestrel listens).</summary>
    private sealed class VirtualKeyStartup(VirtualKeyRegistry registry) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken) => registry.LoadAsync(cancellationToken);

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
