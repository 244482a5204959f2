using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Dispatcher.FakeUpstream;

/// <summary>
/// Scripts a server from another process. <c>POST /_control/enqueue</c> takes
/// <c>{"model":"m","behavior":"rate_limited","retryAfterMs":500,"afterChunks":2,"status":503,"delayMs":100,
/// "content":"...","body":"...","default":false}</c> (<c>"default":true</c> sets the model's default instead);
/// <c>POST /_control/reset</c>; <c>GET /_control/calls</c> answers <c>{"total":N,"byModel":{"m":N}}</c>.
/// </summary>
internal static class ControlApi
{
    public static void Map(IEndpointRouteBuilder app, FakeUpstreamServer server)
    {
        app.MapPost("/_control/enqueue", context => EnqueueAsync(context, server));
        app.MapPost("/_control/reset", context =>
        {
            server.Reset();
            context.Response.StatusCode = StatusCodes.Status204NoContent;
            return Task.CompletedTask;
        });
        app.MapGet("/_control/calls", context => WriteCallsAsync(context, server));
    }

    private static async Task EnqueueAsync(HttpContext context, FakeUpstreamServer server)
    {
        string model;
        FakeBehavior behavior;
        bool asDefault;
        try
        {
            using var document = await JsonDocument.ParseAsync(context.Request.Body, default, context.RequestAborted);
            var root = document.RootElement;
            model = root.GetProperty("model").GetString() ?? throw new FormatException("model must be a string");
            behavior = Parse(root);
            asDefault = root.TryGetProperty("default", out var flag) && flag.ValueKind == JsonValueKind.True;
        }
        catch (Exception ex) when (ex is JsonException or FormatException or KeyNotFoundException or InvalidOperationException or ArgumentException)
        {
            context.Response.StatusCode = StatusCodes.Status400BadRequest;
            await context.Response.WriteAsync(ex.Message, context.RequestAborted);
            return;
        }

        if (asDefault)
        {
            server.SetDefault(model, behavior);
        }
        else
        {
            server.Enqueue(model, behavior);
        }

        context.Response.StatusCode = StatusCodes.Status204NoContent;
    }

    private static FakeBehavior Parse(JsonElement root)
    {
        var name = root.GetProperty("behavior").GetString();
        var afterChunks = Int(root, "afterChunks") ?? 0;
        return name switch
        {
            "ok" => FakeBehavior.Ok(String(root, "content")),
            "status" => FakeBehavior.Status(Int(root, "status") ?? 500, String(root, "body")),
            "rate_limited" => FakeBehavior.RateLimited(TimeSpan.FromMilliseconds(Int(root, "retryAfterMs") ?? 1000)),
            "insufficient_quota" => FakeBehavior.InsufficientQuota(),
            "context_length_exceeded" => FakeBehavior.ContextLengthExceeded(),
            "content_filter" => FakeBehavior.ContentFilter(),
            "content_filter_finish" => FakeBehavior.ContentFilterFinish(),
            "invalid_request" => FakeBehavior.InvalidRequest(),
            "unauthorized" => FakeBehavior.Unauthorized(),
            "forbidden" => FakeBehavior.Forbidden(),
            "model_not_found" => FakeBehavior.ModelNotFound(),
            "delay_first_byte" => FakeBehavior.DelayFirstByte(TimeSpan.FromMilliseconds(Int(root, "delayMs") ?? 1000)),
            "stall" => FakeBehavior.StallMidStream(afterChunks),
            "cut" => FakeBehavior.CutConnection(afterChunks),
            "malformed_json" => FakeBehavior.MalformedJson(),
            "in_band_error" => FakeBehavior.InBandError(afterChunks),
            "wrong_content_type" => FakeBehavior.WrongContentType(),
            "tool_call" => FakeBehavior.ToolCall(String(root, "name") ?? "get_weather", String(root, "arguments") ?? "{}"),
            _ => throw new FormatException($"unknown behavior '{name}'"),
        };
    }

    private static int? Int(JsonElement root, string name) =>
        root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number ? value.GetInt32() : null;

    private static string? String(JsonElement root, string name) =>
        root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static async Task WriteCallsAsync(HttpContext context, FakeUpstreamServer server)
    {
        context.Response.ContentType = "application/json";
        await using (var json = new Utf8JsonWriter(context.Response.BodyWriter, OpenAiError.WriterOptions))
        {
            json.WriteStartObject();
            json.WriteNumber("total", server.TotalCalls);
            json.WriteStartObject("byModel");
            foreach (var (model, calls) in server.CallCounts())
            {
                json.WriteNumber(model, calls);
            }

            json.WriteEndObject();
            json.WriteEndObject();
        }

        await context.Response.BodyWriter.FlushAsync(context.RequestAborted);
    }
}
