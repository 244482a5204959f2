using System.Globalization;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;

namespace Dispatcher.FakeUpstream.Anthropic;

/// <summary>The headers Anthropic sends: request-id and organization on every answer, <c>anthropic-ratelimit-*</c>
/// (resets as RFC 3339 instants) on answers that reached the model, and <c>retry-after</c> on a 429.</summary>
internal static class AnthropicHeaders
{
    private static readonly StringValues Organization = "00000000-0000-4000-8000-000000000000";

    public static string RequestId(long number) => string.Concat("req_011CFake", number.ToString("x8", CultureInfo.InvariantCulture));

    /// <summary>The headers of every response: status, content type, <c>request-id</c>.</summary>
    public static void Apply(HttpResponse response, int status, StringValues contentType, long number)
    {
        response.StatusCode = status;
        var headers = response.Headers;
        headers.ContentType = contentType;
        headers["request-id"] = RequestId(number);
        headers["anthropic-organization-id"] = Organization;
    }

    /// <summary>Every header of a 200 answer, with generous rate-limit headroom.</summary>
    public static void ApplySuccess(HttpResponse response, StringValues contentType, long number)
    {
        Apply(response, StatusCodes.Status200OK, contentType, number);
        var reset = Rfc3339(TimeProvider.System.GetUtcNow().AddSeconds(1));
        var headers = response.Headers;
        headers["anthropic-ratelimit-requests-limit"] = "4000";
        headers["anthropic-ratelimit-requests-remaining"] = "3999";
        headers["anthropic-ratelimit-requests-reset"] = reset;
        headers["anthropic-ratelimit-input-tokens-limit"] = "2000000";
        headers["anthropic-ratelimit-input-tokens-remaining"] = "1999000";
        headers["anthropic-ratelimit-input-tokens-reset"] = reset;
        headers["anthropic-ratelimit-output-tokens-limit"] = "400000";
        headers["anthropic-ratelimit-output-tokens-remaining"] = "399000";
        headers["anthropic-ratelimit-output-tokens-reset"] = reset;
        headers["anthropic-ratelimit-tokens-limit"] = "2400000";
        headers["anthropic-ratelimit-tokens-remaining"] = "2398000";
        headers["anthropic-ratelimit-tokens-reset"] = reset;
    }

    /// <summary>The headers of a 429: <c>retry-after</c> in whole seconds (rounded up) and the request window spent,
    /// resetting <paramref name="retryAfter"/> from now.</summary>
    public static IReadOnlyDictionary<string, string> RateLimited(TimeSpan retryAfter)
    {
        var now = TimeProvider.System.GetUtcNow();
        var seconds = (long)Math.Ceiling(retryAfter.TotalSeconds);
        return new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
        {
            ["retry-after"] = seconds.ToString(CultureInfo.InvariantCulture),
            ["anthropic-ratelimit-requests-limit"] = "50",
            ["anthropic-ratelimit-requests-remaining"] = "0",
            ["anthropic-ratelimit-requests-reset"] = Rfc3339(now + retryAfter),
            ["anthropic-ratelimit-input-tokens-limit"] = "30000",
            ["anthropic-ratelimit-input-tokens-remaining"] = "29000",
            ["anthropic-ratelimit-input-tokens-reset"] = Rfc3339(now.AddSeconds(2)),
            ["anthropic-ratelimit-output-tokens-limit"] = "8000",
            ["anthropic-ratelimit-output-tokens-remaining"] = "8000",
            ["anthropic-ratelimit-output-tokens-reset"] = Rfc3339(now),
            ["anthropic-ratelimit-tokens-limit"] = "38000",
            ["anthropic-ratelimit-tokens-remaining"] = "37000",
            ["anthropic-ratelimit-tokens-reset"] = Rfc3339(now.AddSeconds(2)),
        };
    }

    /// <summary>An RFC 3339 instant in UTC with whole seconds, rounded up (as Anthropic writes them).</summary>
    public static string Rfc3339(DateTimeOffset at)
    {
        var ticks = at.UtcTicks % TimeSpan.TicksPerSecond;
        var whole = ticks == 0 ? at : at.AddTicks(TimeSpan.TicksPerSecond - ticks);
        return whole.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
    }
}
