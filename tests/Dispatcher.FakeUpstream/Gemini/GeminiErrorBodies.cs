using System.Buffers;
using System.Globalization;
using System.Text.Json;

namespace Dispatcher.FakeUpstream.Gemini;

/// <summary>
/// Google's error bodies <c>{"error": {"code", "message", "status", "details"}}</c>, pretty-printed as Google sends
/// them, worded as Gemini words them. A scripted <see cref="FakeBehavior"/> keeps its status; its body is Gemini's for
/// that status (a named OpenAI fault maps to Gemini's version of the same fault).
/// </summary>
internal static class GeminiErrorBodies
{
    private const string QuotaMessage =
        "You exceeded your current quota, please check your plan and billing details. For more information on this error, "
        + "head to: https://ai.google.dev/gemini-api/docs/rate-limits. To monitor your current usage, head to: https://ai.dev/rate-limit. ";

    private static readonly JsonWriterOptions Indented = new() { Indented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>What Gemini sends inside a 200 stream when generation fails half-way.</summary>
    public static readonly byte[] InBand = Render(500, "INTERNAL",
        "An internal error has occurred. Please retry or report in https://developers.generativeai.google/guide/troubleshooting",
        null, indented: false);

    /// <summary>A request without a key.</summary>
    public static readonly byte[] Unregistered = Render(403, "PERMISSION_DENIED",
        "Method doesn't allow unregistered callers (callers without established identity). Please use API Key or other form of API consumer identity to call this API.",
        null);

    public static byte[] InvalidArgument(string message) => Render(400, "INVALID_ARGUMENT", message, null);

    public static byte[] UnknownMethod(string path) => Render(404, "NOT_FOUND", $"Method not found: POST {path}", null);

    /// <summary>The Gemini body for a scripted error behavior; null when its raw body (or no body) is to be sent.</summary>
    public static byte[]? For(FakeBehavior behavior, string model, string? apiKey)
    {
        if (behavior.RawBody is not null || behavior.Error is null)
        {
            return null;
        }

        if (ReferenceEquals(behavior.Error, OpenAiErrors.InsufficientQuota))
        {
            return Render(429, "RESOURCE_EXHAUSTED", QuotaMessage, json => WriteQuotaDetails(json, model, "GenerateRequestsPerDayPerProjectPerModel-FreeTier", "250", null));
        }

        if (ReferenceEquals(behavior.Error, OpenAiErrors.ContextLengthExceeded))
        {
            return InvalidArgument("The input token count (1196265) exceeds the maximum number of tokens allowed (1048576).");
        }

        var status = behavior.StatusCode;
        return status switch
        {
            400 => Render(400, "INVALID_ARGUMENT", "Invalid value at 'generation_config.temperature' (TYPE_FLOAT), \"hot\"", WriteBadRequest),
            401 => Render(401, "UNAUTHENTICATED",
                "Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential. "
                + "See https://developers.google.com/identity/sign-in/web/devconsole-project.", null),
            403 => Render(403, "PERMISSION_DENIED", $"Permission denied: Consumer 'api_key:{apiKey}' has been suspended.",
                json => WriteErrorInfo(json, "CONSUMER_SUSPENDED")),
            404 => Render(404, "NOT_FOUND",
                $"models/{model} is not found for API version v1beta, or is not supported for generateContent. Call ListModels to see the list of available models and their supported methods.",
                null),
            429 => Render(429, "RESOURCE_EXHAUSTED", QuotaMessage,
                json => WriteQuotaDetails(json, model, "GenerateRequestsPerMinutePerProjectPerModel-FreeTier", "10", RetryDelay(behavior))),
            500 => Render(500, "INTERNAL", "An internal error has occurred. Please retry or report in https://developers.generativeai.google/guide/troubleshooting", null),
            503 => Render(503, "UNAVAILABLE", "The model is overloaded. Please try again later.", null),
            504 => Render(504, "DEADLINE_EXCEEDED", "Deadline expired before operation could complete.", null),
            < 500 => Render(status, "FAILED_PRECONDITION", string.Create(CultureInfo.InvariantCulture, $"The request failed with status {status}."), null),
            _ => Render(status, "UNAVAILABLE", string.Create(CultureInfo.InvariantCulture, $"The service failed with status {status}."), null),
        };
    }

    /// <summary>The wait a <see cref="FakeBehavior.RateLimited"/> asked for (its retry-after-ms), as RetryInfo's duration.</summary>
    private static string? RetryDelay(FakeBehavior behavior)
    {
        if (behavior.Headers is null || !behavior.Headers.TryGetValue("retry-after-ms", out var text)
            || !long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var milliseconds))
        {
            return null;
        }

        return milliseconds % 1000 == 0
            ? string.Create(CultureInfo.InvariantCulture, $"{milliseconds / 1000}s")
            : string.Create(CultureInfo.InvariantCulture, $"{milliseconds / 1000.0:0.000}s");
    }

    private static byte[] Render(int code, string status, string message, Action<Utf8JsonWriter>? details, bool indented = true)
    {
        var buffer = new ArrayBufferWriter<byte>(512);
        using (var json = new Utf8JsonWriter(buffer, indented ? Indented : new JsonWriterOptions { Encoder = Indented.Encoder }))
        {
            json.WriteStartObject();
            json.WriteStartObject("error");
            json.WriteNumber("code", code);
            json.WriteString("message", message);
            json.WriteString("status", status);
            if (details is not null)
            {
                json.WriteStartArray("details");
                details(json);
                json.WriteEndArray();
            }

            json.WriteEndObject();
            json.WriteEndObject();
        }

        if (indented)
        {
            buffer.Write("\n"u8);
        }

        return buffer.WrittenSpan.ToArray();
    }

    private static void WriteQuotaDetails(Utf8JsonWriter json, string model, string quotaId, string quotaValue, string? retryDelay)
    {
        json.WriteStartObject();
        json.WriteString("@type", "type.googleapis.com/google.rpc.QuotaFailure");
        json.WriteStartArray("violations");
        json.WriteStartObject();
        json.WriteString("quotaMetric", "generativelanguage.googleapis.com/generate_content_free_tier_requests");
        json.WriteString("quotaId", quotaId);
        json.WriteStartObject("quotaDimensions");
        json.WriteString("location", "global");
        json.WriteString("model", model);
        json.WriteEndObject();
        json.WriteString("quotaValue", quotaValue);
        json.WriteEndObject();
        json.WriteEndArray();
        json.WriteEndObject();

        json.WriteStartObject();
        json.WriteString("@type", "type.googleapis.com/google.rpc.Help");
        json.WriteStartArray("links");
        json.WriteStartObject();
        json.WriteString("description", "Learn more about Gemini API quotas");
        json.WriteString("url", "https://ai.google.dev/gemini-api/docs/rate-limits");
        json.WriteEndObject();
        json.WriteEndArray();
        json.WriteEndObject();

        if (retryDelay is not null)
        {
            json.WriteStartObject();
            json.WriteString("@type", "type.googleapis.com/google.rpc.RetryInfo");
            json.WriteString("retryDelay", retryDelay);
            json.WriteEndObject();
        }
    }

    private static void WriteBadRequest(Utf8JsonWriter json)
    {
        json.WriteStartObject();
        json.WriteString("@type", "type.googleapis.com/google.rpc.BadRequest");
        json.WriteStartArray("fieldViolations");
        json.WriteStartObject();
        json.WriteString("field", "generation_config.temperature");
        json.WriteString("description", "Invalid value at 'generation_config.temperature' (TYPE_FLOAT), \"hot\"");
        json.WriteEndObject();
        json.WriteEndArray();
        json.WriteEndObject();
    }

    private static void WriteErrorInfo(Utf8JsonWriter json, string reason)
    {
        json.WriteStartObject();
        json.WriteString("@type", "type.googleapis.com/google.rpc.ErrorInfo");
        json.WriteString("reason", reason);
        json.WriteString("domain", "googleapis.com");
        json.WriteStartObject("metadata");
        json.WriteString("service", "generativelanguage.googleapis.com");
        json.WriteEndObject();
        json.WriteEndObject();
    }
}
