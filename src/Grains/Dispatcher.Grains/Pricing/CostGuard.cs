using System.Globalization;
using Dispatcher.Grains.Configuration;
using Dispatcher.Grains.Routing;
using Dispatcher.Providers.Chat;

namespace Dispatcher.Grains.Pricing;

/// <summary>
/// Keeps fallback from becoming a price trap (SPEC.md, "Cost"): a candidate is pre-priced from the estimated prompt
/// tokens and the output it may produce (<c>max_tokens</c>, else the route's <c>ExpectedOutputTokens</c>), and skipped
/// with <c>cost_ceiling</c> when that estimate, added to what earlier attempts cost, could break the request's
/// ceiling, or when it is more than <c>MaxFallbackPriceRatio</c> times the estimate of the chain's first model.
/// </summary>
public static class CostGuard
{
    /// <summary>The estimated cost in USD of <paramref name="request"/> on <paramref name="model"/>.</summary>
    public static decimal Estimate(ChatRequest request, ModelDeployment model, RouteOptions route)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(route);
        var output = request.MaxOutputTokens ?? route.ExpectedOutputTokens;
        return ((model.Tokens.Estimate(request) * model.Options.InputPricePerMTok) + (output * model.Options.OutputPricePerMTok)) / 1_000_000m;
    }

    /// <summary>Why <paramref name="candidate"/> may not be tried, or null when it may.</summary>
    /// <param name="request">The request.</param>
    /// <param name="route">The route whose chain and policy apply.</param>
    /// <param name="candidate">The candidate about to be tried.</param>
    /// <param name="ceiling">The request's ceiling (header, else the route's <c>MaxCostUsd</c>), if any.</param>
    /// <param name="spent">What earlier attempts of this request cost.</param>
    public static string? Refusal(ChatRequest request, Route route, ModelDeployment candidate, decimal? ceiling, decimal spent)
    {
        ArgumentNullException.ThrowIfNull(route);
        if (ceiling is null && route.Options.MaxFallbackPriceRatio is null)
        {
            return null;
        }

        var estimate = Estimate(request, candidate, route.Options);
        if (ceiling is { } most && spent + estimate > most)
        {
            return string.Create(CultureInfo.InvariantCulture,
                $"skipped: estimated {estimate:0.######} USD (plus {spent:0.######} already spent) could exceed the ceiling of {most:0.######} USD");
        }

        if (route.Options.MaxFallbackPriceRatio is { } ratio && !ReferenceEquals(candidate, route.Chain[0]))
        {
            var first = Estimate(request, route.Chain[0], route.Options);
            if (estimate > first * (decimal)ratio)
            {
                return string.Create(CultureInfo.InvariantCulture,
                    $"skipped: estimated {estimate:0.######} USD is more than {ratio} x the first model's {first:0.######} USD (MaxFallbackPriceRatio)");
            }
        }

        return null;
    }
}
