using Dispatcher.ApiFront.Contracts;
using Dispatcher.ApiFront.Hosting;
using Dispatcher.Silo.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Dispatcher.ApiFront.Endpoints;

/// <summary>/healthz (the process is up) and /readyz (configuration valid, node started).</summary>
public static class HealthApi
{
    /// <summary>Maps the endpoints.</summary>
    public static IEndpointRouteBuilder MapHealth(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/healthz", () => TypedResults.Json(new HealthStatus("ok"), ApiJsonContext.Default.HealthStatus));
        endpoints.MapGet("/readyz", (NodeReadiness readiness, DispatcherRuntime runtime, ShutdownDrain drain) => drain.IsDraining
            ? Results.Json(new HealthStatus("draining"), ApiJsonContext.Default.HealthStatus, statusCode: 503)
            : readiness.IsReady
            ? Results.Json(new HealthStatus("ready", runtime.ConfigurationSource), ApiJsonContext.Default.HealthStatus)
            : Results.Json(new HealthStatus(readiness.Waiting), ApiJsonContext.Default.HealthStatus, statusCode: 503));
        return endpoints;
    }
}
