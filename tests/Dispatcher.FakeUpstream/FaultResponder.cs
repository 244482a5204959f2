using Microsoft.AspNetCore.Http;

namespace Dispatcher.FakeUpstream;

/// <summary>Writes the answers that are not a chat completion: OpenAI error statuses, malformed JSON, an HTML page.</summary>
internal static class FaultResponder
{
    private static readonly byte[] TruncatedCompletion =
        "{\"id\":\"chatcmpl-fake\",\"object\":\"chat.completion\",\"created\":1700000000,\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"Hel"u8.ToArray();

    private static readonly byte[] MalformedEvent = "data: {not json\n\n"u8.ToArray();

    private static readonly byte[] HtmlPage =
        "<!DOCTYPE html>\n<html><head><title>Scheduled maintenance</title></head>\n<body><h1>We'll be back soon</h1><p>The service is undergoing scheduled maintenance.</p></body></html>\n"u8.ToArray();

    /// <summary>An error status with OpenAI's body (or the behavior's raw body) and the behavior's extra headers.</summary>
    public static Task WriteErrorAsync(HttpContext context, FakeBehavior behavior, string? model, long number, CancellationToken cancellationToken)
    {
        var body = behavior.RawBody ?? behavior.Error?.Render(model) ?? [];
        var response = context.Response;
        ResponseHeaders.Apply(response, behavior.StatusCode, ResponseHeaders.Json, number);
        if (behavior.Headers is { } headers)
        {
            foreach (var (name, value) in headers)
            {
                response.Headers[name] = value;
            }
        }

        return WriteBodyAsync(response, body, cancellationToken);
    }

    /// <summary>An error the fake itself detects (unparseable body, missing model, unknown URL).</summary>
    public static Task WriteErrorAsync(HttpContext context, int status, OpenAiError error, long number, CancellationToken cancellationToken)
    {
        ResponseHeaders.Apply(context.Response, status, ResponseHeaders.Json, number);
        return WriteBodyAsync(context.Response, error.Render(null), cancellationToken);
    }

    /// <summary>200 whose JSON is cut off (the HTTP message itself is complete), or a stream with one unparseable event.</summary>
    public static Task WriteMalformedAsync(HttpContext context, bool stream, long number, CancellationToken cancellationToken)
    {
        ResponseHeaders.ApplySuccess(context.Response, stream ? ResponseHeaders.EventStream : ResponseHeaders.Json, number);
        return WriteBodyAsync(context.Response, stream ? MalformedEvent : TruncatedCompletion, cancellationToken);
    }

    public static Task WriteHtmlAsync(HttpContext context, long number, CancellationToken cancellationToken)
    {
        ResponseHeaders.Apply(context.Response, StatusCodes.Status200OK, ResponseHeaders.Html, number);
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
