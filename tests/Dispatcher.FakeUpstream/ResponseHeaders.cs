using System.Globalization;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;

namespace Dispatcher.FakeUpstream;

/// <summary>The headers OpenAI sends with every answer, as values created once.</summary>
internal static class ResponseHeaders
{
    public static readonly StringValues Json = "application/json";
    public static readonly StringValues EventStream = "text/event-stream; charset=utf-8";
    public static readonly StringValues Html = "text/html; charset=utf-8";

    private static readonly StringValues OpenAiVersion = "2020-10-01";
    private static readonly StringValues ProcessingMs = "42";
    private static readonly StringValues LimitRequests = "10000";
    private static readonly StringValues RemainingRequests = "9999";
    private static readonly StringValues ResetRequests = "6ms";
    private static readonly StringValues LimitTokens = "30000000";
    private static readonly StringValues RemainingTokens = "29999000";
    private static readonly StringValues ResetTokens = "2ms";

    /// <summary>The headers of every response: content type and <c>x-request-id</c>.</summary>
    public static void Apply(HttpResponse response, int status, StringValues contentType, long number)
    {
        response.StatusCode = status;
        var headers = response.Headers;
        headers.ContentType = contentType;
        headers["x-request-id"] = string.Concat("req_fake", number.ToString("x8", CultureInfo.InvariantCulture));
        headers["openai-version"] = OpenAiVersion;
        headers["openai-processing-ms"] = ProcessingMs;
    }

    /// <summary>Every header of a 200 answer, including generous rate-limit headroom.</summary>
    public static void ApplySuccess(HttpResponse response, StringValues contentType, long number)
    {
        Apply(response, StatusCodes.Status200OK, contentType, number);
        var headers = response.Headers;
        headers["x-ratelimit-limit-requests"] = LimitRequests;
        headers["x-ratelimit-remaining-requests"] = RemainingRequests;
        headers["x-ratelimit-reset-requests"] = ResetRequests;
        headers["x-ratelimit-limit-tokens"] = LimitTokens;
        headers["x-ratelimit-remaining-tokens"] = RemainingTokens;
        headers["x-ratelimit-reset-tokens"] = ResetTokens;
    }
}
