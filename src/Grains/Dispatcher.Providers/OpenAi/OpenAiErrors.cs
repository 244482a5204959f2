using System.Net.Http.Headers;
using System.Text.Json;

namespace Dispatcher.Providers.OpenAi;

/// <summary>
/// Decides the failure kind of an OpenAI-compatible upstream's answer, once, from its status, error body and
/// headers. Vendors (DeepSeek, Mistral, vLLM, Groq, Together, OpenRouter…) word their errors differently, so the
/// message is matched too; it is only read here, never copied into anything Dispatcher says.
/// </summary>
internal static class OpenAiErrors
{
    /// <summary>Classifies an error answer.</summary>
    public static UpstreamFailure Classify(int status, HttpResponseHeaders headers, ReadOnlySpan<byte> body)
    {
        var (code, type, message) = ReadErrorFields(body);
        var kind = Decide(status, code, type, message);
        var retryAfter = kind is FailureKind.RateLimited or FailureKind.ServerError ? RateLimitHeaders.RetryAfter(headers) : null;
        return new UpstreamFailure(kind, status, retryAfter, Describe(kind, status));
    }

    /// <summary>Classifies an <c>error</c> value found inside a 200 body or a stream chunk (reader on its value).</summary>
    public static UpstreamFailure FromErrorValue(ref Utf8JsonReader reader, int statusCode)
    {
        var (code, type, message) = ReadErrorValue(ref reader);
        var kind = Decide(statusCode, code, type, message);
        return new UpstreamFailure(kind, statusCode, null, "the upstream sent an in-band error: " + kind.ToWireName());
    }

    internal static FailureKind Decide(int status, string? code, string? type, string? message)
    {
        if (Is(code, "insufficient_quota") || Is(type, "insufficient_quota") || Contains(message, "exceeded your current quota"))
        {
            return FailureKind.QuotaExhausted;
        }

        if (Is(code, "context_length_exceeded") || Is(code, "string_above_max_length")
            || Contains(message, "maximum context length") || Contains(message, "context length")
            || Contains(message, "context window") || Contains(message, "prompt is too long") || Contains(message, "too many tokens"))
        {
            return FailureKind.ContextOverflow;
        }

        if (Is(code, "content_filter") || Is(code, "content_policy_violation") || Contains(message, "content management policy"))
        {
            return FailureKind.ContentFiltered;
        }

        if (Is(code, "model_not_found"))
        {
            return FailureKind.ModelNotFound;
        }

        return status switch
        {
            429 => FailureKind.RateLimited,
            401 or 403 => FailureKind.AuthFailed,
            404 => FailureKind.ModelNotFound,
            408 or 504 => FailureKind.Timeout,
            413 => FailureKind.ContextOverflow,
            >= 500 => FailureKind.ServerError,
            >= 400 => FailureKind.InvalidRequest,
            _ when Is(type, "rate_limit_error") || Is(code, "rate_limit_exceeded") => FailureKind.RateLimited,
            _ => FailureKind.ServerError,
        };
    }

    private static string Describe(FailureKind kind, int status) => kind switch
    {
        FailureKind.RateLimited => "the upstream rate-limited the request (HTTP 429)",
        FailureKind.QuotaExhausted => "the provider key's quota is exhausted",
        FailureKind.AuthFailed => $"the upstream refused the provider key (HTTP {status})",
        FailureKind.ContextOverflow => "the prompt exceeds the model's context window",
        FailureKind.ContentFiltered => "the upstream's content filter refused the request",
        FailureKind.ModelNotFound => "the upstream does not serve this model",
        FailureKind.Timeout => $"the upstream timed out (HTTP {status})",
        FailureKind.InvalidRequest => $"the upstream called the request invalid (HTTP {status})",
        _ => $"the upstream failed (HTTP {status})",
    };

    private static (string? Code, string? Type, string? Message) ReadErrorFields(ReadOnlySpan<byte> body)
    {
        try
        {
            var reader = new Utf8JsonReader(body);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return default;
            }

            string? message = null;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("error"u8))
                {
                    reader.Read();
                    return ReadErrorValue(ref reader);
                }

                var isMessage = reader.ValueTextEquals("message"u8) || reader.ValueTextEquals("detail"u8);
                reader.Read();
                if (isMessage && reader.TokenType == JsonTokenType.String)
                {
                    message = reader.GetString();
                }

                reader.Skip();
            }

            return (null, null, message);
        }
        catch (JsonException)
        {
            return default;
        }
    }

    private static (string? Code, string? Type, string? Message) ReadErrorValue(ref Utf8JsonReader reader)
    {
        if (reader.TokenType == JsonTokenType.String)
        {
            return (null, null, reader.GetString());
        }

        if (reader.TokenType != JsonTokenType.StartObject)
        {
            reader.Skip();
            return default;
        }

        string? code = null, type = null, message = null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var field = reader.ValueTextEquals("code"u8) ? 1 : reader.ValueTextEquals("type"u8) ? 2 : reader.ValueTextEquals("message"u8) ? 3 : 0;
            reader.Read();
            var text = reader.TokenType switch
            {
                JsonTokenType.String => reader.GetString(),
                JsonTokenType.Number => reader.TryGetInt32(out var number) ? number.ToString(System.Globalization.CultureInfo.InvariantCulture) : null,
                _ => null,
            };
            reader.Skip();
            switch (field)
            {
                case 1: code = text; break;
                case 2: type = text; break;
                case 3: message = text; break;
                default: break;
            }
        }

        return (code, type, message);
    }

    private static bool Is(string? value, string expected) => string.Equals(value, expected, StringComparison.OrdinalIgnoreCase);

    private static bool Contains(string? value, string part) => value?.Contains(part, StringComparison.OrdinalIgnoreCase) == true;
}
