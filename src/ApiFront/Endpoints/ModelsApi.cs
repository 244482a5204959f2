using Dispatcher.ApiFront.Auth;
using Dispatcher.ApiFront.Contracts;
using Dispatcher.Silo.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Dispatcher.ApiFront.Endpoints;

/// <summary>GET /v1/models: the routes and model aliases a client may name, in OpenAI's list shape.</summary>
public static class ModelsApi
{
    /// <summary>Maps the endpoint.</summary>
    public static IEndpointRouteBuilder MapModels(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/v1/models", (DispatcherRuntime runtime, HttpContext http) =>
        {
            var routes = runtime.Routes;
            var key = KeyGate.KeyOf(http)?.Key;
            var entries = routes.RouteNames
                .Where(name => KeyGate.MayName(key, name, isRoute: true))
                .Select(name => new ModelEntry(name, "model", 0, "dispatcher", "route", routes.ChainOf(name)))
                .Concat(routes.ModelAliases.Where(alias => KeyGate.MayName(key, alias, isRoute: false))
                    .Select(alias => new ModelEntry(alias, "model", 0, "dispatcher", "model", [alias])))
                .ToArray();
            return TypedResults.Json(new ModelList("list", entries), ApiJsonContext.Default.ModelList);
        });
        return endpoints;
    }
}
