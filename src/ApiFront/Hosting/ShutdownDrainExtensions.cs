using Dispatcher.Grains.Configuration;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Dispatcher.ApiFront.Hosting;

/// <summary>Registers <see cref="ShutdownDrain"/> and sizes the host's shutdown timeout from the drain timeout.</summary>
public static class ShutdownDrainExtensions
{
    /// <summary>Adds the drain; <c>Dispatcher:Shutdown:DrainTimeout</c> (default 30 s) plus a 5 s margin becomes the host's shutdown timeout.</summary>
    public static WebApplicationBuilder AddShutdownDrain(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddSingleton<ShutdownDrain>();
        builder.Services.AddOptions<HostOptions>().Configure<IConfiguration>(static (host, configuration) =>
        {
            var drain = configuration.GetValue<TimeSpan?>("Dispatcher:Shutdown:DrainTimeout") ?? new ShutdownOptions().DrainTimeout;
            host.ShutdownTimeout = drain + ShutdownDrain.FlushMargin;
        });
        return builder;
    }
}
