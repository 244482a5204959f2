using System.Globalization;
using Microsoft.AspNetCore.Http;

namespace Dispatcher.FakeUpstream.Anthropic;

/// <summary>Writes the Anthropic answers that are not a message: error statuses, malformed JSON, an HTML page.</summary>
internal static class AnthropicFaultResponder
{
    private static readonly byte[] TruncatedMessage =
        "{\"id\":\"msg_fake\",\"type\":\"message\",\"role\":\"assistant\",\"content\":[{\"type\":\"text\",\"text\":\"Hel"u8.ToArray();

    private static readonly byte[] MalformedEvent = "event: message_start\ndata: {not json\n\n"u8.ToArray();

    private static readonly byte[] HtmlPage =
        "<!DOCTYPE html>\n<html><head><title>Scheduled maintenance</title></head>\n<body><h1>We'll be back soon</h1></body></html>\n"u8.ToArray();

    /// <summary>
    /// An error status. A raw body passes as scripted; an OpenAI error chosen by <see cref="FakeBehavior"/> is sent as
    /// Anthropic sends that fault (see <see cref="AnthropicFaults"/>).
    /// </summary>
    public static Task WriteErrorAsync(HttpContext context, FakeBehavior behavior, string model, long number, CancellationToken cancellationToken)
    {
        var status = behavior.StatusCode;
        var headers = behavior.Headers;
        byte[] body;
        if (behavior.RawBody is { } raw)
        {
            body = raw;
        }
        else if (behavior.Error is not { } error)
        {
            body = [];
        }
        else
        {
            AnthropicErrorBody translated;
            (status, translated) = error switch
            {
                _ when ReferenceEquals(error, OpenAiErrors.InsufficientQuota) => (400, AnthropicErrorBodies.CreditBalanceTooLow),
                _ when ReferenceEquals(error, OpenAiErrors.ContextLengthExceeded) => (400, AnthropicErrorBodies.PromptTooLong),
                _ when ReferenceEquals(error, OpenAiErrors.ContentFilter) => (400, AnthropicErrorBodies.OutputBlocked),
                _ => (status, AnthropicErrorBodies.ForStatus(status) ?? AnthropicErrorBodies.ApiError),
            };
            body = translated.Render(model, number);

            // FakeBehavior.RateLimited carries OpenAI's headers: send Anthropic's for the same wait instead.
            if (headers is not null && headers.ContainsKey("x-ratelimit-remaining-requests"))
            {
                headers = headers.TryGetValue("retry-after-ms", out var ms)
                    && double.TryParse(ms, NumberStyles.Float, CultureInfo.InvariantCulture, out var milliseconds)
                    ? AnthropicHeaders.RateLimited(TimeSpan.FromMilliseconds(milliseconds))
                    : null;
            }
        }

        AnthropicHeaders.Apply(context.Response, status, ResponseHeaders.Json, number);
        if (headers is not null)
        {
            foreach (var (name, value) in headers)
            {
                context.Response.Headers[name] = value;
            }
        }

        return WriteBodyAsync(context.Response, body, cancellationToken);
    }

    /// <summary>An error the fake itself detects (unparseable body, a rule of the API broken, unknown URL).</summary>
    public static Task WriteErrorAsync(HttpContext context, int status, AnthropicErrorBody error, string? model, long number, CancellationToken cancellationToken)
    {
        AnthropicHeaders.Apply(context.Response, status, ResponseHeaders.Json, number);
        return WriteBodyAsync(context.Response, error.Render(model, number), cancellationToken);
    }

    /// <summary>200 whose JSON is cut off (the HTTP message itself is complete), or a stream with one unparseable event.</summary>
    public static Task WriteMalformedAsync(HttpContext context, bool stream, long number, CancellationToken cancellationToken)
    {
        AnthropicHeaders.ApplySuccess(context.Response, stream ? ResponseHeaders.EventStream : ResponseHeaders.Json, number);
        return WriteBodyAsync(context.Response, stream ? MalformedEvent : TruncatedMessage, cancellationToken);
    }

    public static Task WriteHtmlAsync(HttpContext context, long number, CancellationToken cancellationToken)
    {
        AnthropicHeaders.Apply(context.Response, StatusCodes.Status200OK, ResponseHeaders.Html, number);
        return WriteBodyAsync(context.Response, HtmlPage, cancellationToken);
    }

    private static async Task WriteBodyAsync(HttpResponse response, byte[] body, CancellationToken cancellationToken)
    {
        response.ContentLength = body.Length;
        if (body.Length > 0)
        {
            await response.BodyWriter.WriteAsync(body, cancellationToken);
        }
    }
}
