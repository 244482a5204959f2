using System.Text.Json;
using Dispatcher.ApiFront.Contracts;
using Dispatcher.Grains.Configuration;
using Dispatcher.Grains.Keys;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Options;

namespace Dispatcher.ApiFront.Auth;

/// <summary>
/// Key management under /v1/dispatcher/keys (admin key only, enforced by <see cref="DispatcherAuthMiddleware"/>):
/// create (the secret is in this one answer and nowhere else, ever), list, show, delete.
/// </summary>
public static class KeysApi
{
    /// <summary>Maps the endpoints.</summary>
    public static IEndpointRouteBuilder MapKeysApi(this IEndpointRouteBuilder endpoints)
    {
        var group = endpoints.MapGroup("/v1/dispatcher/keys");
        group.MapPost("", CreateAsync);
        group.MapGet("", static (HttpContext http, VirtualKeyRegistry keys) => Guarded(http, keys, () =>
        {
            var now = keys.Now;
            var views = keys.List().Select(state => KeyView.Of(state, now)).ToArray();
            return http.Response.WriteAsJsonAsync(new KeyList("list", views), KeysJsonContext.Default.KeyList, contentType: null, http.RequestAborted);
        }));
        group.MapGet("/{id}", static (string id, HttpContext http, VirtualKeyRegistry keys) => Guarded(http, keys, () =>
            keys.Find(id) is { } state
                ? http.Response.WriteAsJsonAsync(KeyView.Of(state, keys.Now), KeysJsonContext.Default.KeyView, contentType: null, http.RequestAborted)
                : NotFound(http, id)));
        group.MapDelete("/{id}", static (string id, HttpContext http, VirtualKeyRegistry keys) => Guarded(http, keys, async () =>
        {
            if (!await keys.DeleteAsync(id, http.RequestAborted))
            {
                await NotFound(http, id);
                return;
            }

            await http.Response.WriteAsJsonAsync(new KeyDeleted(id, "virtual_key", true), KeysJsonContext.Default.KeyDeleted, contentType: null, http.RequestAborted);
        }));
        return endpoints;
    }

    private static Task CreateAsync(HttpContext http, VirtualKeyRegistry keys, IOptions<DispatcherOptions> options) => Guarded(http, keys, async () =>
    {
        CreateKeyRequest? body;
        try
        {
            body = await JsonSerializer.DeserializeAsync(http.Request.Body, KeysJsonContext.Default.CreateKeyRequest, http.RequestAborted);
        }
        catch (JsonException)
        {
            body = null;
        }

        if (body is null)
        {
            await OpenAiError.WriteAsync(http.Response, 400, "The body must be a JSON object: {\"name\", \"routes\", \"models\", \"rpm\", \"monthly_budget_usd\", \"strict\"}.", "invalid_request");
            return;
        }

        if (Invalid(body, options.Value) is { } problem)
        {
            await OpenAiError.WriteAsync(http.Response, 400, problem.Message, "invalid_request", problem.Param);
            return;
        }

        var (state, secret) = await keys.CreateAsync(
            new NewVirtualKey(body.Name ?? string.Empty, body.Routes ?? [], body.Models ?? [], body.Rpm, body.MonthlyBudgetUsd, body.Strict ?? false),
            http.RequestAborted);
        http.Response.StatusCode = 201;
        http.Response.Headers.CacheControl = "no-store";
        await http.Response.WriteAsJsonAsync(KeyView.Of(state, keys.Now, secret), KeysJsonContext.Default.KeyView, contentType: null, http.RequestAborted);
    });

    private static (string Message, string Param)? Invalid(CreateKeyRequest body, DispatcherOptions config)
    {
        if (body.Rpm is < 1)
        {
            return ("'rpm' must be a positive integer.", "rpm");
        }

        if (body.MonthlyBudgetUsd is < 0m)
        {
            return ("'monthly_budget_usd' must not be negative.", "monthly_budget_usd");
        }

        foreach (var route in body.Routes ?? [])
        {
            if (!config.Routes.ContainsKey(route))
            {
                return ($"'routes' names '{route}', which is not a route of this gateway.", "routes");
            }
        }

        foreach (var model in body.Models ?? [])
        {
            if (!config.Models.ContainsKey(model))
            {
                return ($"'models' names '{model}', which is not a model alias of this gateway.", "models");
            }
        }

        return null;
    }

    private static Task Guarded(HttpContext http, VirtualKeyRegistry keys, Func<Task> handle) =>
        keys.AuthEnabled
            ? handle()
            : OpenAiError.WriteAsync(http.Response, 403, "Virtual keys need an admin key: set Dispatcher:Auth:AdminKey (e.g. env:DISPATCHER_ADMIN_KEY).", "admin_key_not_configured");

    private static Task NotFound(HttpContext http, string id) =>
        OpenAiError.WriteAsync(http.Response, 404, $"No virtual key '{id}'.", "key_not_found");
}
