using System.Globalization;
using System.Net.Http.Headers;

namespace Dispatcher.Providers.Anthropic;

/// <summary>
/// Reads Anthropic's <c>anthropic-ratelimit-{requests,tokens,input-tokens,output-tokens}-{remaining,reset}</c>
/// headers. Resets are RFC 3339 instants, turned into waits relative to the answer's <c>Date</c> header (the
/// upstream's own clock), or to our clock when it has none.
/// </summary>
internal static class AnthropicRateLimits
{
    private const string Prefix = "anthropic-ratelimit-";
    private static readonly string[] TokenDimensions = ["tokens", "input-tokens", "output-tokens"];
    private static readonly TimeSpan MaxWait = TimeSpan.FromDays(7);

    /// <summary>What the headers say is left, and when the exhausted window resets.</summary>
    public static RateLimitHint Hint(HttpResponseHeaders headers, DateTimeOffset fallbackNow)
    {
        var now = headers.Date ?? fallbackNow;
        int? requests = TryGet(headers, Prefix + "requests-remaining", out var r)
            && int.TryParse(r, NumberStyles.Integer, CultureInfo.InvariantCulture, out var rv) ? rv : null;
        TimeSpan? reset = requests == 0 ? ResetOf(headers, "requests", now) : null;

        long? tokens = null;
        foreach (var dimension in TokenDimensions)
        {
            if (!TryGet(headers, Prefix + dimension + "-remaining", out var t)
                || !long.TryParse(t, NumberStyles.Integer, CultureInfo.InvariantCulture, out var left))
            {
                continue;
            }

            tokens = tokens is null ? left : Math.Min(tokens.Value, left);
            if (left == 0 && ResetOf(headers, dimension, now) is { } tokenReset && (reset is null || tokenReset > reset))
            {
                reset = tokenReset;
            }
        }

        return new RateLimitHint(requests, tokens, reset);
    }

    private static TimeSpan? ResetOf(HttpResponseHeaders headers, string dimension, DateTimeOffset now)
    {
        if (!TryGet(headers, Prefix + dimension + "-reset", out var text)
            || !DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var at))
        {
            return null;
        }

        var wait = at - now;
        if (wait > MaxWait)
        {
            return null;
        }

        return wait > TimeSpan.Zero ? wait : TimeSpan.Zero;
    }

    private static bool TryGet(HttpResponseHeaders headers, string name, out string? value)
    {
        if (headers.NonValidated.TryGetValues(name, out var values) && values.Count > 0)
        {
            value = values.ToString();
            return true;
        }

        value = null;
        return false;
    }
}
