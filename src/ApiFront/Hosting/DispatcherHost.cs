using Dispatcher.Silo.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace Dispatcher.ApiFront.Hosting;

/// <summary>Builds the node's web application: what Program runs, and what end-to-end tests host on loopback.</summary>
public static class DispatcherHost
{
    /// <summary>Builds the application from <paramref name="args"/>; <paramref name="configure"/> may add configuration or services.</summary>
    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateSlimBuilder(args);
        DispatcherConfigFile.Add(builder.Configuration, args);
        builder.AddDispatcherFront();
        builder.Services.AddDispatcherSilo(builder.Configuration);
        builder.AddShutdownDrain();
        configure?.Invoke(builder);
        var app = builder.Build();
        app.Services.GetRequiredService<ShutdownDrain>();  // created now, so that it sees the stop
        app.UseRequestHeaderLimit();
        app.MapDispatcherApi();
        return app;
    }
}
