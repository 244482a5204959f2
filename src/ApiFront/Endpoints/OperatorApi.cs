using Dispatcher.ApiFront.Contracts;
using Dispatcher.Grains.Ledger;
using Dispatcher.Grains.Providers;
using Dispatcher.Silo.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Dispatcher.ApiFront.Endpoints;

/// <summary>The operator API: providers with breakers and budgets, and each request's decision trail.</summary>
public static class OperatorApi
{
    /// <summary>Maps the endpoints under /v1/dispatcher.</summary>
    public static IEndpointRouteBuilder MapOperatorApi(this IEndpointRouteBuilder endpoints)
    {
        var group = endpoints.MapGroup("/v1/dispatcher");
        group.MapGet("/providers", async (DispatcherRuntime runtime, IProviderAuthority authority, HttpContext http) =>
        {
            var providers = runtime.Providers.Values.Select(provider => provider.Snapshot()).OrderBy(p => p.Name, StringComparer.Ordinal).ToArray();
            ClusterView cluster;
            try
            {
                cluster = await authority.DescribeAsync(http.RequestAborted);
            }
            catch (Exception e) when (e is System.Data.Common.DbException or TimeoutException or InvalidOperationException)
            {
                // The database is gone: the node's own view still answers, marked degraded (SPEC.md).
                cluster = new ClusterView(authority.Mode, string.Empty, true, [], [], []);
            }

            return TypedResults.Json(new ProviderList(authority.Mode, providers, cluster), ApiJsonContext.Default.ProviderList);
        });
        group.MapRecentActivity();
        group.MapGet("/requests/{requestId}", async (string requestId, IRequestLedger ledger, HttpContext http) =>
        {
            var record = await ledger.FindAsync(requestId, http.RequestAborted);
            if (record is null)
            {
                await OpenAiError.WriteAsync(http.Response, 404, $"No request '{requestId}' in the ledger.", "request_not_found");
                return;
            }

            await http.Response.WriteAsJsonAsync(RequestTrail.From(record), ApiJsonContext.Default.RequestTrail, contentType: null, http.RequestAborted);
        });
        group.MapChaosApi();
        return endpoints;
    }
}
