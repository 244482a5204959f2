using System.Text.Json;
using Dispatcher.ApiFront.Contracts;
using Dispatcher.Providers.Chaos;
using Dispatcher.Silo.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Dispatcher.ApiFront.Endpoints;

/// <summary>
/// /v1/dispatcher/chaos: GET the fault injection in force, PUT new settings for the providers named, DELETE to turn
/// all of it off. Refused with 409 <c>chaos_disabled</c> unless Dispatcher:Chaos:Enabled. Mapped inside the operator
/// group, so it shares the operator API's guard.
/// </summary>
public static class ChaosApi
{
    /// <summary>Maps the endpoints on the operator <paramref name="group"/>.</summary>
    public static RouteGroupBuilder MapChaosApi(this RouteGroupBuilder group)
    {
        ArgumentNullException.ThrowIfNull(group);
        group.MapGet("/chaos", static (DispatcherRuntime runtime) => TypedResults.Json(Document(runtime), ApiJsonContext.Default.ChaosDocument));
        group.MapPut("/chaos", PutAsync);
        group.MapDelete("/chaos", static (DispatcherRuntime runtime, HttpContext http) =>
        {
            if (!runtime.Chaos.Enabled)
            {
                return Disabled(http);
            }

            runtime.Chaos.Clear();
            return http.Response.WriteAsJsonAsync(Document(runtime), ApiJsonContext.Default.ChaosDocument, contentType: null, http.RequestAborted);
        });
        return group;
    }

    private static async Task PutAsync(DispatcherRuntime runtime, HttpContext http)
    {
        if (!runtime.Chaos.Enabled)
        {
            await Disabled(http);
            return;
        }

        ChaosDocument? document;
        try
        {
            document = await JsonSerializer.DeserializeAsync(http.Request.Body, ApiJsonContext.Default.ChaosDocument, http.RequestAborted);
        }
        catch (JsonException)
        {
            await OpenAiError.WriteAsync(http.Response, 400, "The body must be {\"providers\": [{\"name\": ..., \"fault_rate\": ...}]}.", "invalid_request");
            return;
        }

        var entries = document?.Providers ?? [];
        var changes = new List<(string, ChaosSettings)>(entries.Count);
        foreach (var entry in entries)
        {
            if (entry.Name is null || !runtime.Chaos.Knows(entry.Name))
            {
                await OpenAiError.WriteAsync(http.Response, 404, $"No provider '{entry.Name}' is configured.", "provider_not_found", "name");
                return;
            }

            var settings = new ChaosSettings(entry.FaultRate ?? 0, entry.LatencyRate ?? 0, TimeSpan.FromMilliseconds(entry.LatencyMs ?? 0),
                entry.OutcomeRate ?? 0, entry.OutcomeStatus ?? 503);
            if (entry.LatencyMs is < 0 or > 3_600_000 || settings.Problem() is not null)
            {
                await OpenAiError.WriteAsync(http.Response, 400, $"Provider '{entry.Name}': {settings.Problem() ?? "latency_ms must be from 0 to 3600000."}", "invalid_request");
                return;
            }

            changes.Add((entry.Name, settings));
        }

        // All or nothing: nothing changes until every entry is valid.
        foreach (var (provider, settings) in changes)
        {
            runtime.Chaos.TrySet(provider, settings);
        }

        await http.Response.WriteAsJsonAsync(Document(runtime), ApiJsonContext.Default.ChaosDocument, contentType: null, http.RequestAborted);
    }

    private static Task Disabled(HttpContext http) =>
        OpenAiError.WriteAsync(http.Response, 409, "Fault injection is disabled on this node (Dispatcher:Chaos:Enabled is false).", "chaos_disabled");

    private static ChaosDocument Document(DispatcherRuntime runtime)
    {
        var snapshot = runtime.Chaos.Snapshot();
        var entries = new ChaosProviderEntry[snapshot.Count];
        for (var i = 0; i < entries.Length; i++)
        {
            var (name, s) = snapshot[i];
            entries[i] = new ChaosProviderEntry(name, s.FaultRate, s.LatencyRate, s.Latency.TotalMilliseconds, s.OutcomeRate, s.OutcomeStatus);
        }

        return new ChaosDocument(runtime.Chaos.Enabled, runtime.Chaos.Seed, entries);
    }
}
