using System.Globalization;
using Dispatcher.ApiFront.Contracts;
using Dispatcher.Silo.Telemetry;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Dispatcher.ApiFront.Endpoints;

/// <summary>
/// The operator page: GET /dashboard is one static HTML page (no data in it) whose script polls the operator API
/// (<c>/v1/dispatcher/providers</c> and <c>/v1/dispatcher/recent</c>), so it is guarded exactly as they are.
/// </summary>
public static class DashboardApi
{
    private const int DefaultMinutes = 15;
    private const int MaxMinutes = 24 * 60;
    private const int MaxRequests = 50;

    private static readonly Lazy<byte[]> Page = new(static () =>
    {
        using var stream = typeof(DashboardApi).Assembly.GetManifestResourceStream("Dispatcher.ApiFront.Dashboard.dashboard.html")
            ?? throw new InvalidOperationException("The dashboard page is not embedded in the assembly.");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    });

    /// <summary>Maps GET /dashboard.</summary>
    public static IEndpointRouteBuilder MapDashboard(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/dashboard", static (HttpContext http) =>
        {
            http.Response.Headers.CacheControl = "no-store";
            http.Response.Headers["Content-Security-Policy"] = "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self'; base-uri 'none'; form-action 'none'";
            http.Response.Headers["X-Content-Type-Options"] = "nosniff";
            return TypedResults.Bytes(Page.Value, "text/html; charset=utf-8");
        });
        return endpoints;
    }

    /// <summary>Maps GET /recent on the operator group: <c>?minutes=15</c> (1 to 1440), at most 50 requests.</summary>
    public static RouteGroupBuilder MapRecentActivity(this RouteGroupBuilder group)
    {
        ArgumentNullException.ThrowIfNull(group);
        group.MapGet("/recent", static async (HttpContext http, RecentRequests recent, TimeProvider time) =>
        {
            var minutes = DefaultMinutes;
            var query = http.Request.Query["minutes"];
            if (query.Count > 0 && (!int.TryParse(query.ToString(), NumberStyles.None, CultureInfo.InvariantCulture, out minutes) || minutes is < 1 or > MaxMinutes))
            {
                await OpenAiError.WriteAsync(http.Response, 400, $"minutes must be a whole number from 1 to {MaxMinutes}.", "invalid_request", "minutes");
                return;
            }

            var since = time.GetUtcNow().AddMinutes(-minutes);
            var requests = recent.Since(since, MaxRequests);
            var trails = new RequestTrail[requests.Count];
            for (var i = 0; i < trails.Length; i++)
            {
                trails[i] = RequestTrail.From(requests[i]);
            }

            var activity = new RecentActivity(since, minutes, trails, RecentRequests.Edges(requests));
            await http.Response.WriteAsJsonAsync(activity, DashboardJsonContext.Default.RecentActivity, contentType: null, http.RequestAborted);
        });
        return group;
    }
}
