using Dispatcher.ApiFront.Contracts;
using Dispatcher.Grains.Keys;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;

namespace Dispatcher.ApiFront.Auth;

/// <summary>
/// With an admin key configured (<c>Dispatcher:Auth:AdminKey</c>): the operator API, key management and
/// <c>/dashboard</c> need the admin key; everything else but the health probes needs a virtual key, which is then
/// attached to the request for the chat endpoint's limits. Without one, every path is open (and the front refuses to
/// listen beyond loopback, see <see cref="Hosting.ExposureGuard"/>). Secrets are never echoed, logged or stored.
/// </summary>
internal sealed class DispatcherAuthMiddleware
{
    private readonly RequestDelegate _next;
    private readonly VirtualKeyRegistry _keys;

    public DispatcherAuthMiddleware(RequestDelegate next, VirtualKeyRegistry keys)
    {
        _next = next;
        _keys = keys;
    }

    public Task InvokeAsync(HttpContext http)
    {
        if (!_keys.AuthEnabled)
        {
            return _next(http);
        }

        var path = http.Request.Path;
        if (path.StartsWithSegments("/healthz") || path.StartsWithSegments("/readyz"))
        {
            return _next(http);
        }

        var secret = BearerToken(http.Request.Headers.Authorization);
        if (path.StartsWithSegments("/v1/dispatcher") || path.StartsWithSegments("/dashboard"))
        {
            if (!secret.IsEmpty && _keys.IsAdmin(secret))
            {
                return _next(http);
            }

            return secret.IsEmpty || _keys.Authenticate(secret) is null
                ? Unauthorized(http, "This path needs the admin key: Authorization: Bearer <Dispatcher:Auth:AdminKey>.")
                : OpenAiError.WriteAsync(http.Response, 403, "This path needs the admin key; a virtual key cannot use it.", "admin_key_required");
        }

        if (secret.IsEmpty)
        {
            return Unauthorized(http, "You didn't provide an API key. Send a virtual key as Authorization: Bearer <key>.");
        }

        if (_keys.Authenticate(secret) is not { } key)
        {
            return _keys.IsAdmin(secret)
                ? OpenAiError.WriteAsync(http.Response, 403, "The admin key manages Dispatcher; make API calls with a virtual key (POST /v1/dispatcher/keys).", "admin_key_not_allowed")
                : Unauthorized(http, "Incorrect API key provided. Virtual keys are created with POST /v1/dispatcher/keys.");
        }

        http.Features.Set(new VirtualKeyFeature(key));
        return _next(http);
    }

    private static Task Unauthorized(HttpContext http, string message)
    {
        http.Response.Headers.WWWAuthenticate = "Bearer";
        return OpenAiError.WriteAsync(http.Response, 401, message, "invalid_api_key");
    }

    private static ReadOnlySpan<char> BearerToken(StringValues authorization)
    {
        if (authorization.Count != 1 || authorization[0] is not { } value || !value.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return default;
        }

        return value.AsSpan(7).Trim();
    }
}

/// <summary>The virtual key that authenticated this request.</summary>
internal sealed record VirtualKeyFeature(VirtualKeyState Key);

/// <summary>Adds <see cref="DispatcherAuthMiddleware"/>.</summary>
public static class DispatcherAuthExtensions
{
    /// <summary>Authenticates every request (a no-op until <c>Dispatcher:Auth:AdminKey</c> is set).</summary>
    public static IApplicationBuilder UseDispatcherAuth(this IApplicationBuilder app) => app.UseMiddleware<DispatcherAuthMiddleware>();
}
