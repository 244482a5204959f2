using System.Globalization;
using System.Net.Http.Headers;

namespace Dispatcher.Providers;

/// <summary>Reads the rate-limit headers OpenAI and most OpenAI-compatible vendors send.</summary>
public static class RateLimitHeaders
{
    private static readonly TimeSpan MaxWait = TimeSpan.FromDays(7);

    /// <summary>
    /// How long the upstream asked us to wait: <c>retry-after-ms</c>, else <c>retry-after</c> (seconds or HTTP date),
    /// else the reset of whichever <c>x-ratelimit-remaining-*</c> reached zero.
    /// </summary>
    public static TimeSpan? RetryAfter(HttpResponseHeaders headers)
    {
        if (TryGet(headers, "retry-after-ms", out var ms)
            && double.TryParse(ms, NumberStyles.Float, CultureInfo.InvariantCulture, out var milliseconds))
        {
            return Seconds(milliseconds / 1000);
        }

        if (headers.RetryAfter is { } retryAfter)
        {
            if (retryAfter.Delta is { } delta)
            {
                return delta;
            }

            if (retryAfter.Date is { } date && headers.Date is { } now)
            {
                return date > now ? date - now : TimeSpan.Zero;
            }
        }

        return Hint(headers).ResetAfter;
    }

    /// <summary>Reads <c>x-ratelimit-remaining-requests/tokens</c> and the matching reset.</summary>
    public static RateLimitHint Hint(HttpResponseHeaders headers)
    {
        int? requests = TryGet(headers, "x-ratelimit-remaining-requests", out var r)
            && int.TryParse(r, NumberStyles.Integer, CultureInfo.InvariantCulture, out var rv) ? rv : null;
        long? tokens = TryGet(headers, "x-ratelimit-remaining-tokens", out var t)
            && long.TryParse(t, NumberStyles.Integer, CultureInfo.InvariantCulture, out var tv) ? tv : null;
        TimeSpan? reset = null;
        if (requests == 0 && TryGet(headers, "x-ratelimit-reset-requests", out var rr))
        {
            reset = ParseDuration(rr);
        }

        if (tokens == 0 && TryGet(headers, "x-ratelimit-reset-tokens", out var tr) && ParseDuration(tr) is { } tokenReset)
        {
            reset = reset is null || tokenReset > reset ? tokenReset : reset;
        }

        return new RateLimitHint(requests, tokens, reset);
    }

    /// <summary>Parses OpenAI's reset durations: <c>1s</c>, <c>6m0s</c>, <c>20ms</c>, <c>1h2m3.5s</c>, or plain seconds.</summary>
    public static TimeSpan? ParseDuration(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return null;
        }

        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var plainSeconds))
        {
            return Seconds(plainSeconds);
        }

        var total = 0.0;
        var span = text.AsSpan();
        while (!span.IsEmpty)
        {
            var digits = 0;
            while (digits < span.Length && (char.IsAsciiDigit(span[digits]) || span[digits] == '.'))
            {
                digits++;
            }

            if (digits == 0 || !double.TryParse(span[..digits], NumberStyles.Float, CultureInfo.InvariantCulture, out var value))
            {
                return null;
            }

            span = span[digits..];
            var unit = 0;
            while (unit < span.Length && char.IsAsciiLetter(span[unit]))
            {
                unit++;
            }

            var seconds = span[..unit] switch
            {
                "h" => 3600.0,
                "m" => 60.0,
                "s" => 1.0,
                "ms" => 0.001,
                _ => double.NaN,
            };
            if (double.IsNaN(seconds))
            {
                return null;
            }

            total += value * seconds;
            span = span[unit..];
        }

        return Seconds(total);
    }

    /// <summary>A wait the upstream asked for; nonsense (negative, NaN, infinite, over a week) is ignored.</summary>
    private static TimeSpan? Seconds(double seconds) =>
        double.IsFinite(seconds) && seconds >= 0 && seconds <= MaxWait.TotalSeconds ? TimeSpan.FromSeconds(seconds) : null;

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
