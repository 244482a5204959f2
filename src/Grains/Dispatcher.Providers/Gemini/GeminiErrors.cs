using System.Net.Http.Headers;
using System.Text.Json;

namespace Dispatcher.Providers.Gemini;

/// <summary>
/// Decides the failure kind of a Gemini answer, once, from its HTTP status and Google's error body
/// <c>{"error": {"code", "message", "status", "details": [...]}}</c> (sometimes wrapped in a one-element array).
/// The message is only matched here, never copied into anything Dispatcher says.
/// </summary>
internal static class GeminiErrors
{
    /// <summary>Classifies an error answer.</summary>
    public static UpstreamFailure Classify(int status, HttpResponseHeaders? headers, ReadOnlySpan<byte> body)
    {
        var error = Read(body);
        var kind = Decide(status, error);
        var retryAfter = kind is FailureKind.RateLimited or FailureKind.ServerError
            ? error.RetryDelay ?? (headers is null ? null : RateLimitHeaders.RetryAfter(headers))
            : null;
        return new UpstreamFailure(kind, status, retryAfter, Describe(kind, status));
    }

    /// <summary>Classifies the value of an <c>error</c> member found in a 200 body or a stream event.</summary>
    public static UpstreamFailure FromErrorValue(JsonElement value)
    {
        var error = ReadError(value);
        var kind = Decide(0, error);
        var retryAfter = kind is FailureKind.RateLimited or FailureKind.ServerError ? error.RetryDelay : null;
        return new UpstreamFailure(kind, 0, retryAfter, "the upstream sent an in-band error: " + kind.ToWireName());
    }

    /// <summary>The kind for an HTTP status (0 when the error arrived in-band) and the error's fields.</summary>
    internal static FailureKind Decide(int status, GeminiError error)
    {
        if (status == 0)
        {
            status = error.Code;
        }

        if (Is(error.Status, "RESOURCE_EXHAUSTED") || status == 429)
        {
            return QuotaOrRate(error);
        }

        if (Is(error.Reason, "API_KEY_INVALID") || Contains(error.Message, "API key not valid") || Contains(error.Message, "API key expired")
            || Is(error.Status, "UNAUTHENTICATED") || Is(error.Status, "PERMISSION_DENIED") || status is 401 or 403)
        {
            return FailureKind.AuthFailed;
        }

        if (Contains(error.Message, "exceeds the maximum number of tokens") || Contains(error.Message, "input token count")
            || Contains(error.Message, "too many tokens") || Contains(error.Message, "payload size exceeds") || status == 413)
        {
            return FailureKind.ContextOverflow;
        }

        // "User location is not supported" and "free tier is not available in your country": the project or key is the
        // problem, not the request, so another provider may serve it.
        if (Is(error.Status, "FAILED_PRECONDITION")
            && (Contains(error.Message, "location") || Contains(error.Message, "billing") || Contains(error.Message, "free tier")))
        {
            return FailureKind.AuthFailed;
        }

        if (Is(error.Status, "NOT_FOUND") || status == 404)
        {
            return FailureKind.ModelNotFound;
        }

        if (Is(error.Status, "DEADLINE_EXCEEDED") || status is 504 or 408)
        {
            return FailureKind.Timeout;
        }

        if (Is(error.Status, "INTERNAL") || Is(error.Status, "UNAVAILABLE") || Is(error.Status, "UNKNOWN") || status >= 500)
        {
            return FailureKind.ServerError;
        }

        return status >= 400 || Is(error.Status, "INVALID_ARGUMENT") || Is(error.Status, "FAILED_PRECONDITION") || Is(error.Status, "OUT_OF_RANGE")
            ? FailureKind.InvalidRequest
            : FailureKind.ServerError;
    }

    /// <summary>
    /// Google words every 429 as "You exceeded your current quota, please check your plan and billing details", per-minute
    /// limits included, so the message alone cannot tell a short wait from a spent daily or billing quota: the
    /// QuotaFailure's quota id and the presence of RetryInfo can.
    /// </summary>
    private static FailureKind QuotaOrRate(GeminiError error)
    {
        if (Contains(error.QuotaIds, "PerDay") || Contains(error.Message, "per day"))
        {
            return FailureKind.QuotaExhausted;
        }

        if (error.RetryDelay is not null || Contains(error.QuotaIds, "PerMinute"))
        {
            return FailureKind.RateLimited;
        }

        return Contains(error.Message, "exceeded your current quota") || Contains(error.Message, "billing")
            || Contains(error.Message, "prepayment") || Contains(error.Message, "spending cap")
            ? FailureKind.QuotaExhausted
            : FailureKind.RateLimited;
    }

    private static string Describe(FailureKind kind, int status) => kind switch
    {
        FailureKind.RateLimited => "the upstream rate-limited the request (HTTP 429)",
        FailureKind.QuotaExhausted => "the provider key's quota is exhausted",
        FailureKind.AuthFailed => $"the upstream refused the provider key (HTTP {status})",
        FailureKind.ContextOverflow => "the prompt exceeds the model's context window",
        FailureKind.ModelNotFound => "the upstream does not serve this model",
        FailureKind.Timeout => $"the upstream timed out (HTTP {status})",
        FailureKind.InvalidRequest => $"the upstream called the request invalid (HTTP {status})",
        _ => $"the upstream failed (HTTP {status})",
    };

    private static GeminiError Read(ReadOnlySpan<byte> body)
    {
        try
        {
            var reader = new Utf8JsonReader(body, new JsonReaderOptions { MaxDepth = 64 });
            using var document = JsonDocument.ParseValue(ref reader);
            var root = document.RootElement;
            if (root.ValueKind == JsonValueKind.Array && root.GetArrayLength() > 0)
            {
                root = root[0];
            }

            return root.ValueKind == JsonValueKind.Object && root.TryGetProperty("error", out var error) ? ReadError(error) : default;
        }
        catch (JsonException)
        {
            return default;
        }
    }

    private static GeminiError ReadError(JsonElement error)
    {
        if (error.ValueKind == JsonValueKind.String)
        {
            return new GeminiError { Message = error.GetString() };
        }

        if (error.ValueKind != JsonValueKind.Object)
        {
            return default;
        }

        var result = new GeminiError
        {
            Code = error.TryGetProperty("code", out var code) && code.ValueKind == JsonValueKind.Number && code.TryGetInt32(out var number) ? number : 0,
            Status = Text(error, "status"),
            Message = Text(error, "message"),
        };
        if (!error.TryGetProperty("details", out var details) || details.ValueKind != JsonValueKind.Array)
        {
            return result;
        }

        string? reason = null, quotaIds = null;
        TimeSpan? retryDelay = null;
        foreach (var detail in details.EnumerateArray())
        {
            var type = detail.ValueKind == JsonValueKind.Object ? Text(detail, "@type") : null;
            if (type is null)
            {
                continue;
            }

            if (type.EndsWith("google.rpc.RetryInfo", StringComparison.Ordinal))
            {
                retryDelay = RateLimitHeaders.ParseDuration(Text(detail, "retryDelay"));
            }
            else if (type.EndsWith("google.rpc.ErrorInfo", StringComparison.Ordinal))
            {
                reason = Text(detail, "reason");
                if (detail.TryGetProperty("metadata", out var metadata) && metadata.ValueKind == JsonValueKind.Object)
                {
                    quotaIds += Text(metadata, "quota_limit") + " ";
                }
            }
            else if (type.EndsWith("google.rpc.QuotaFailure", StringComparison.Ordinal)
                && detail.TryGetProperty("violations", out var violations) && violations.ValueKind == JsonValueKind.Array)
            {
                foreach (var violation in violations.EnumerateArray())
                {
                    if (violation.ValueKind == JsonValueKind.Object)
                    {
                        quotaIds += Text(violation, "quotaId") + " " + Text(violation, "quotaMetric") + " ";
                    }
                }
            }
        }

        return result with { Reason = reason, QuotaIds = quotaIds, RetryDelay = retryDelay };
    }

    private static string? Text(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static bool Is(string? value, string expected) => string.Equals(value, expected, StringComparison.OrdinalIgnoreCase);

    private static bool Contains(string? value, string part) => value?.Contains(part, StringComparison.OrdinalIgnoreCase) == true;
}
