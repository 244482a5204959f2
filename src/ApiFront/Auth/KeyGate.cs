using System.Globalization;
using Dispatcher.ApiFront.Contracts;
using Dispatcher.Grains.Configuration;
using Dispatcher.Grains.Keys;
using Dispatcher.Providers.Chat;
using Microsoft.AspNetCore.Http;

namespace Dispatcher.ApiFront.Auth;

/// <summary>
/// A chat request's virtual key limits, checked before dispatch: the names it may call, its requests per minute and
/// its monthly budget. What is left of the budget becomes a cost ceiling, so a request is never started when even
/// its estimate would overspend (SPEC.md: budgets are a hard stop).
/// </summary>
internal static class KeyGate
{
    /// <summary>The virtual key that authenticated this request, or null when keys are off.</summary>
    public static VirtualKeyState? KeyOf(HttpContext http) => http.Features.Get<VirtualKeyFeature>()?.Key;

    /// <summary>The key's verdict; false when a refusal has been written.</summary>
    public static async Task<bool> AdmitAsync(HttpContext http, VirtualKeyState state, ChatRequest request, DispatcherOptions config, DateTimeOffset now)
    {
        if (Denied(state.Key, request, config) is { } name)
        {
            await OpenAiError.WriteAsync(http.Response, 403, $"This API key may not use the model '{name}'.", "model_not_allowed", "model");
            return false;
        }

        var admission = state.Admit(now);
        switch (admission.Verdict)
        {
            case KeyVerdict.RateLimited:
                http.Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(admission.RetryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
                await OpenAiError.WriteAsync(http.Response, 429, $"This API key's limit of {state.Key.Rpm} requests per minute is reached.", "key_rate_limited");
                return false;
            case KeyVerdict.BudgetExhausted:
                await OpenAiError.WriteAsync(http.Response, 429,
                    $"This API key's monthly budget of {state.Key.MonthlyBudgetUsd?.ToString(CultureInfo.InvariantCulture)} USD is spent.", "key_budget_exhausted");
                return false;
            default:
                return true;
        }
    }

    /// <summary>Strict unless the client turns fallback back on (<c>x-dispatcher-fallback: on</c>), for strict keys.</summary>
    public static bool Strict(HttpRequest request, VirtualKeyState? key, bool strict) =>
        strict || (key?.Key.Strict == true && !string.Equals(request.Headers[DispatcherHeaders.Fallback], "on", StringComparison.OrdinalIgnoreCase));

    /// <summary>The request's ceiling, lowered to what is left of the key's monthly budget.</summary>
    public static decimal? Ceiling(decimal? requested, decimal? routeDefault, VirtualKeyState? key, DateTimeOffset now)
    {
        if (key?.Key.MonthlyBudgetUsd is not { } budget)
        {
            return requested;
        }

        var left = Math.Max(0m, budget - key.SpentThisMonth(now));
        return (requested ?? routeDefault) is { } ceiling && ceiling < left ? ceiling : left;
    }

    private static string? Denied(VirtualKey key, ChatRequest request, DispatcherOptions config)
    {
        if (key.Routes.Count == 0 && key.Models.Count == 0)
        {
            return null;
        }

        if (request.Model is { } model && !Allowed(key, model, config))
        {
            return model;
        }

        if (request.Models is { } models)
        {
            foreach (var name in models)
            {
                if (!Allowed(key, name, config))
                {
                    return name;
                }
            }
        }

        return null;
    }

    /// <summary>Whether <paramref name="key"/> (null: keys off) may name this route or alias (GET /v1/models lists only those).</summary>
    public static bool MayName(VirtualKey? key, string name, bool isRoute) =>
        key is null || (key.Routes.Count == 0 && key.Models.Count == 0) || Contains(isRoute ? key.Routes : key.Models, name);

    private static bool Allowed(VirtualKey key, string name, DispatcherOptions config) =>
        Contains(config.Routes.ContainsKey(name) ? key.Routes : key.Models, name);

    private static bool Contains(IReadOnlyList<string> names, string name)
    {
        foreach (var allowed in names)
        {
            if (string.Equals(allowed, name, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }
}
