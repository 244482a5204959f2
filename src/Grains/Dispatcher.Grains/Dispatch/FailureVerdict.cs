using System.Globalization;
using System.Text;
using Dispatcher.Providers;

namespace Dispatcher.Grains.Dispatch;

/// <summary>SPEC.md's status when every candidate failed, decided from the kinds the trail holds.</summary>
public static class FailureVerdict
{
    private static readonly TimeSpan MinimumRetryAfter = TimeSpan.FromSeconds(1);

    /// <summary>The client-facing failure for <paramref name="trail"/>, which ended on <paramref name="lastKind"/>.</summary>
    public static DispatchFailure For(DecisionTrail trail, FailureKind lastKind, TimeSpan? shortestRetryAfter, bool attemptCapReached)
    {
        var message = Describe(trail, attemptCapReached);
        if (lastKind is FailureKind.InvalidRequest or FailureKind.ContentFiltered)
        {
            return new DispatchFailure(400, lastKind.ToWireName(), message, null);
        }

        if (trail.Count == 0)
        {
            return new DispatchFailure(504, FailureKind.Timeout.ToWireName(), message, null);
        }

        var retryAfter = shortestRetryAfter is { } wait && wait > MinimumRetryAfter ? wait : MinimumRetryAfter;
        if (All(trail, static k => k is FailureKind.RateLimited or FailureKind.QuotaExhausted or FailureKind.BudgetExhausted))
        {
            return new DispatchFailure(429, FailureKind.RateLimited.ToWireName(), message, retryAfter);
        }

        if (All(trail, static k => k is FailureKind.BreakerOpen or FailureKind.RateLimited or FailureKind.QuotaExhausted or FailureKind.BudgetExhausted))
        {
            return new DispatchFailure(503, FailureKind.BreakerOpen.ToWireName(), message, retryAfter);
        }

        if (All(trail, static k => k is FailureKind.Timeout or FailureKind.FirstTokenTimeout or FailureKind.StreamStalled))
        {
            return new DispatchFailure(504, lastKind.ToWireName(), message, null);
        }

        if (All(trail, static k => k is FailureKind.ContextOverflow or FailureKind.CapabilityMismatch))
        {
            return new DispatchFailure(400, FailureKind.ContextOverflow.ToWireName(), message, null);
        }

        if (All(trail, static k => k is FailureKind.CostCeiling or FailureKind.ContextOverflow or FailureKind.CapabilityMismatch))
        {
            // No candidate could serve within the price the client or the route allows: the request's own limit.
            return new DispatchFailure(400, FailureKind.CostCeiling.ToWireName(), message, null);
        }

        return new DispatchFailure(502, lastKind.ToWireName(), message, null);
    }

    private static bool All(DecisionTrail trail, Func<FailureKind, bool> predicate)
    {
        foreach (var attempt in trail.Attempts)
        {
            if (!predicate(attempt.Kind))
            {
                return false;
            }
        }

        return true;
    }

    private static string Describe(DecisionTrail trail, bool attemptCapReached)
    {
        if (trail.Count == 0)
        {
            return "The request's deadline passed before any model could be tried.";
        }

        var text = new StringBuilder(trail.Count == 1 ? "The only attempt failed: " : "All attempts failed: ");
        for (var i = 0; i < trail.Count; i++)
        {
            var attempt = trail.Attempts[i];
            text.Append(i == 0 ? string.Empty : "; ")
                .Append(CultureInfo.InvariantCulture, $"{i + 1}. {attempt.Model} ({attempt.Provider}) {attempt.Kind.ToWireName()}");
            if (attempt.Detail is not null)
            {
                text.Append(" - ").Append(attempt.Detail);
            }
        }

        text.Append('.');
        if (attemptCapReached)
        {
            text.Append(" Stopped at the attempt limit (Dispatcher:Retry:MaxAttemptsPerRequest).");
        }

        return text.ToString();
    }
}
