using System.Text.Json;
using Dispatcher.Providers;
using Microsoft.AspNetCore.Http;

namespace Dispatcher.ApiFront.Contracts;

/// <summary>Writes errors in OpenAI's shape: <c>{"error": {"message", "type", "param", "code"}}</c>.</summary>
public static class OpenAiError
{
    /// <summary>OpenAI's error type for an HTTP status.</summary>
    public static string TypeFor(int status) => status switch
    {
        401 => "authentication_error",
        403 => "permission_error",
        404 => "not_found_error",
        429 => "rate_limit_error",
        >= 500 => "server_error",
        _ => "invalid_request_error",
    };

    /// <summary>Writes the error as the whole response (status, JSON body).</summary>
    public static async Task WriteAsync(HttpResponse response, int status, string message, string? code, string? param = null)
    {
        ArgumentNullException.ThrowIfNull(response);
        response.StatusCode = status;
        response.ContentType = "application/json";
        using var body = new PooledBuffer(256 + message.Length);
        using (var json = new Utf8JsonWriter(body))
        {
            json.WriteStartObject();
            json.WriteStartObject("error");
            json.WriteString("message", message);
            json.WriteString("type", TypeFor(status));
            json.WriteString("param", param);
            json.WriteString("code", code);
            json.WriteEndObject();
            json.WriteEndObject();
        }

        response.ContentLength = body.Length;
        await response.Body.WriteAsync(body.WrittenMemory, response.HttpContext.RequestAborted);
    }
}
