using System.Net.Http.Headers;
using System.Text.Json;

namespace Dispatcher.Providers.Anthropic;

/// <summary>
/// Decides the failure kind of an Anthropic answer, once, from its status, its error object
/// (<c>{"type":"error","error":{"type","message"}}</c>) and its headers. The message is read only to tell apart what
/// the type does not (a prompt over the context window, an exhausted credit balance); it is never copied into anything
/// Dispatcher says, because upstreams echo prompts and keys back.
/// </summary>
internal static class AnthropicErrors
{
    /// <summary>Classifies an error answer; <paramref name="now"/> is used when the answer has no Date header.</summary>
    public static UpstreamFailure Classify(int status, HttpResponseHeaders headers, ReadOnlySpan<byte> body, DateTimeOffset now)
    {
        var (type, message) = ReadBody(body);
        var kind = Decide(status, type, message);
        var retryAfter = kind is FailureKind.RateLimited or FailureKind.ServerError
            ? RateLimitHeaders.RetryAfter(headers) ?? AnthropicRateLimits.Hint(headers, now).ResetAfter
            : null;
        return new UpstreamFailure(kind, status, retryAfter, Describe(kind, status));
    }

    /// <summary>Classifies an error object found inside a 200 answer or a stream's <c>error</c> event.</summary>
    public static UpstreamFailure InBand(string? type, string? message)
    {
        var kind = Decide(0, type, message);
        return new UpstreamFailure(kind, 0, null, "the upstream sent an in-band error: " + kind.ToWireName());
    }

    /// <summary>Reads an error object's <c>type</c> and <c>message</c>; the reader is on its start and ends on its end.</summary>
    public static (string? Type, string? Message) ReadErrorObject(ref Utf8JsonReader reader)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            reader.Skip();
            return default;
        }

        string? type = null, message = null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var field = reader.ValueTextEquals("type"u8) ? 1 : reader.ValueTextEquals("message"u8) ? 2 : 0;
            reader.Read();
            var text = reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
            reader.Skip();
            if (field == 1)
            {
                type = text;
            }
            else if (field == 2)
            {
                message = text;
            }
        }

        return (type, message);
    }

    internal static FailureKind Decide(int status, string? type, string? message)
    {
        // Anthropic answers an empty balance with 400 invalid_request_error, and a spend limit likewise.
        if (Is(type, "billing_error") || status == 402 || Contains(message, "credit balance")
            || Contains(message, "api usage limits"))
        {
            return FailureKind.QuotaExhausted;
        }

        if (Is(type, "request_too_large") || status == 413 || Contains(message, "prompt is too long")
            || Contains(message, "exceed context limit") || Contains(message, "context window"))
        {
            return FailureKind.ContextOverflow;
        }

        if (Contains(message, "content filtering policy"))
        {
            return FailureKind.ContentFiltered;
        }

        FailureKind? byType = type switch
        {
            "rate_limit_error" => FailureKind.RateLimited,
            "overloaded_error" or "api_error" => FailureKind.ServerError,
            "timeout_error" => FailureKind.Timeout,
            "authentication_error" or "permission_error" => FailureKind.AuthFailed,
            "not_found_error" => FailureKind.ModelNotFound,
            "invalid_request_error" when status is 0 or (>= 400 and < 500) => FailureKind.InvalidRequest,
            _ => null,
        };

        return byType ?? status switch
        {
            429 => FailureKind.RateLimited,
            401 or 403 => FailureKind.AuthFailed,
            404 => FailureKind.ModelNotFound,
            408 or 504 => FailureKind.Timeout,
            >= 500 => FailureKind.ServerError,
            >= 400 => FailureKind.InvalidRequest,
            _ => FailureKind.ServerError,
        };
    }

    private static string Describe(FailureKind kind, int status) => kind switch
    {
        FailureKind.RateLimited => "the upstream rate-limited the request (HTTP 429)",
        FailureKind.QuotaExhausted => "the provider account's balance or spend limit is exhausted",
        FailureKind.AuthFailed => $"the upstream refused the provider key (HTTP {status})",
        FailureKind.ContextOverflow => "the prompt exceeds the model's context window",
        FailureKind.ContentFiltered => "the upstream's content filter refused the request",
        FailureKind.ModelNotFound => "the upstream does not serve this model",
        FailureKind.Timeout => $"the upstream timed out (HTTP {status})",
        FailureKind.InvalidRequest => $"the upstream called the request invalid (HTTP {status})",
        _ when status == 529 => "the upstream is overloaded (HTTP 529)",
        _ => $"the upstream failed (HTTP {status})",
    };

    private static (string? Type, string? Message) ReadBody(ReadOnlySpan<byte> body)
    {
        try
        {
            var reader = new Utf8JsonReader(body);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return default;
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var isError = reader.ValueTextEquals("error"u8);
                reader.Read();
                if (isError)
                {
                    return ReadErrorObject(ref reader);
                }

                reader.Skip();
            }

            return default;
        }
        catch (JsonException)
        {
            return default;
        }
    }

    private static bool Is(string? value, string expected) => string.Equals(value, expected, StringComparison.Ordinal);

    private static bool Contains(string? value, string part) => value?.Contains(part, StringComparison.OrdinalIgnoreCase) == true;
}
