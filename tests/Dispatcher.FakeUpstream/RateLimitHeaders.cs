using System.Globalization;

namespace Dispatcher.FakeUpstream;

/// <summary>The headers OpenAI sends with a 429 and the Go-style durations it writes in them ("1s", "6m0s", "120ms").</summary>
internal static class RateLimitHeaders
{
    public static IReadOnlyDictionary<string, string> For(TimeSpan retryAfter)
    {
        var seconds = (long)Math.Ceiling(retryAfter.TotalSeconds);
        var milliseconds = (long)Math.Ceiling(retryAfter.TotalMilliseconds);
        return new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
        {
            ["retry-after"] = seconds.ToString(CultureInfo.InvariantCulture),
            ["retry-after-ms"] = milliseconds.ToString(CultureInfo.InvariantCulture),
            ["x-ratelimit-limit-requests"] = "500",
            ["x-ratelimit-remaining-requests"] = "0",
            ["x-ratelimit-reset-requests"] = FormatDuration(retryAfter),
            ["x-ratelimit-limit-tokens"] = "200000",
            ["x-ratelimit-remaining-tokens"] = "199840",
            ["x-ratelimit-reset-tokens"] = "48ms",
        };
    }

    public static string FormatDuration(TimeSpan duration)
    {
        if (duration < TimeSpan.FromSeconds(1))
        {
            return string.Create(CultureInfo.InvariantCulture, $"{Math.Max(0, (long)Math.Ceiling(duration.TotalMilliseconds))}ms");
        }

        var minutes = (long)duration.TotalMinutes;
        var seconds = duration.TotalSeconds - (minutes * 60);
        return minutes > 0
            ? string.Create(CultureInfo.InvariantCulture, $"{minutes}m{seconds:0.###}s")
            : string.Create(CultureInfo.InvariantCulture, $"{seconds:0.###}s");
    }
}
