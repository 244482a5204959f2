using Dispatcher.Grains.Providers;
using Microsoft.Extensions.Hosting;

namespace Dispatcher.Silo.Hosting;

/// <summary>
/// Starts and stops the authority when it has a life of its own (PostgreSQL: join, background sync, leave).
/// Registered after <see cref="SiloStartup"/>, so the actors exist and the first sync already takes their leases.
/// </summary>
internal sealed class AuthorityStartup : IHostedService
{
    private readonly IHostedService? _authority;

    public AuthorityStartup(IProviderAuthority authority) => _authority = authority as IHostedService;

    public Task StartAsync(CancellationToken cancellationToken) => _authority?.StartAsync(cancellationToken) ?? Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => _authority?.StopAsync(cancellationToken) ?? Task.CompletedTask;
}
