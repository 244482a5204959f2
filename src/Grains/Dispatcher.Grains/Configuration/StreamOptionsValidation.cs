using System.Globalization;

namespace Dispatcher.Grains.Configuration;

/// <summary>Start-up checks of the conversation, continuation, hedging and stream-health keys, by full key path.</summary>
internal static class StreamOptionsValidation
{
    public static void ValidateRoute(string path, RouteOptions route, List<string> errors)
    {
        if (!string.Equals(route.OnPinnedFailure, RouteOptions.Repin, StringComparison.OrdinalIgnoreCase) && !route.FailOnPinnedFailure)
        {
            errors.Add($"{path}:OnPinnedFailure '{route.OnPinnedFailure}' is unknown; use {RouteOptions.Repin} or {RouteOptions.Fail}.");
        }

        if (route.SessionIdleTtl <= TimeSpan.Zero)
        {
            errors.Add($"{path}:SessionIdleTtl must be positive.");
        }

        if (route.ReturnToPrimaryAfter is { } after && after < TimeSpan.Zero)
        {
            errors.Add($"{path}:ReturnToPrimaryAfter must not be negative.");
        }

        if (route.ContinuationInstruction is { } instruction && string.IsNullOrWhiteSpace(instruction))
        {
            errors.Add($"{path}:ContinuationInstruction must not be blank (leave it unset for the default).");
        }

        if (route.HedgeAfter is not null && !route.HedgesAtP95 && route.FixedHedgeDelay is not { } delay)
        {
            errors.Add($"{path}:HedgeAfter '{route.HedgeAfter}' must be a positive time span (\"00:00:02\") or \"{RouteOptions.HedgeAtP95}\".");
        }
        else if (route.FixedHedgeDelay is { } fixedDelay && fixedDelay <= TimeSpan.Zero)
        {
            errors.Add($"{path}:HedgeAfter must be positive.");
        }
    }

    public static void ValidateModel(string path, ModelOptions model, List<string> errors)
    {
        var timeouts = model.Timeouts;
        if (timeouts.MinTokensPerSecond is { } min && (min <= 0 || double.IsNaN(min) || double.IsInfinity(min)))
        {
            errors.Add($"{path}:Timeouts:MinTokensPerSecond must be a positive number when set.");
        }

        if (timeouts.ThroughputWindow <= TimeSpan.Zero)
        {
            errors.Add($"{path}:Timeouts:ThroughputWindow must be positive ({timeouts.ThroughputWindow.ToString("c", CultureInfo.InvariantCulture)}).");
        }
    }
}
