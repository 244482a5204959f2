using System.Diagnostics;
using Dispatcher.ApiFront.Auth;
using Dispatcher.ApiFront.Contracts;
using Dispatcher.ApiFront.Hosting;
using Dispatcher.ApiFront.Streaming;
using Dispatcher.Grains.Configuration;
using Dispatcher.Grains.Dispatch;
using Dispatcher.Grains.Ledger;
using Dispatcher.Grains.Telemetry;
using Dispatcher.Providers.Chat;
using Dispatcher.Silo.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Options;

namespace Dispatcher.ApiFront.Endpoints;

/// <summary>POST /v1/chat/completions: parse once, resolve the chain, dispatch, write the answer and the headers.</summary>
public static partial class ChatCompletionsApi
{
    /// <summary>Maps the endpoint.</summary>
    public static IEndpointRouteBuilder MapChatCompletions(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapPost("/v1/chat/completions", HandleAsync);
        endpoints.MapMethods("/v1/chat/completions", ["GET", "PUT", "PATCH", "DELETE"], static context =>
            OpenAiError.WriteAsync(context.Response, 405, "Use POST for /v1/chat/completions.", "method_not_allowed"));
        return endpoints;
    }

    private static async Task HandleAsync(HttpContext http, DispatcherRuntime runtime, DispatchEngine engine, IRequestLedger ledger,
        IOptions<DispatcherOptions> options, TimeProvider time, ShutdownDrain shutdown)
    {
        var startedAt = time.GetTimestamp();
        var arrivedAt = time.GetUtcNow();
        using var span = RequestSpans.Start(http.Request.Headers.TraceParent, http.Request.Headers.TraceState);
        var requestId = RequestSpans.RequestId(span);
        var response = http.Response;
        response.Headers[DispatcherHeaders.RequestId] = requestId;
        response.Headers[DispatcherHeaders.Attempts] = "0";

        if (!IsJson(http.Request.ContentType))
        {
            await OpenAiError.WriteAsync(response, 415, "The request body must be JSON (Content-Type: application/json).", "unsupported_media_type");
            return;
        }

        var (buffer, length) = await RequestBodyReader.ReadAsync(http.Request, options.Value.MaxRequestBodyBytes, http.RequestAborted);
        if (buffer is null && length == RequestBodyReader.Unreadable)
        {
            if (!http.RequestAborted.IsCancellationRequested)
            {
                await OpenAiError.WriteAsync(response, 400, "The request body could not be read: it ended before its Content-Length.", "invalid_request");
            }

            return;
        }

        if (buffer is null)
        {
            await OpenAiError.WriteAsync(response, 413, $"The request body exceeds {options.Value.MaxRequestBodyBytes} bytes (Dispatcher:MaxRequestBodyBytes).", "request_too_large");
            return;
        }

        using var request = ChatRequestParser.Parse(buffer, length, out var invalid);
        if (request is null)
        {
            await OpenAiError.WriteAsync(response, invalid!.StatusCode, invalid.Message, "invalid_request", invalid.Param);
            return;
        }

        var route = runtime.Routes.Resolve(request, out var unknownModel);
        if (route is null)
        {
            await OpenAiError.WriteAsync(response, 404, $"The model '{unknownModel}' does not exist: it is neither a route nor a model alias of this gateway (GET /v1/models lists them).", "model_not_found", "model");
            return;
        }

        var key = KeyGate.KeyOf(http);
        if (key is not null && !await KeyGate.AdmitAsync(http, key, request, options.Value, arrivedAt))
        {
            return;
        }

        var strict = KeyGate.Strict(http.Request, key, string.Equals(http.Request.Headers[DispatcherHeaders.Fallback], "off", StringComparison.OrdinalIgnoreCase));
        if (!TryReadMaxCost(http.Request, out var maxCostUsd))
        {
            await OpenAiError.WriteAsync(response, 400, $"The {DispatcherHeaders.MaxCostUsd} header must be a non-negative number of USD.", "invalid_request", DispatcherHeaders.MaxCostUsd);
            return;
        }

        if (!ConversationHeader.TryRead(http.Request, out var sessionId))
        {
            await OpenAiError.WriteAsync(response, 400, ConversationHeader.Invalid, "invalid_request", DispatcherHeaders.Session);
            return;
        }

        if (!TryReadContract(request, route, out var contract, out var badSchema))
        {
            await OpenAiError.WriteAsync(response, 400, badSchema!.Message, "invalid_request", badSchema.Param);
            return;
        }

        maxCostUsd = KeyGate.Ceiling(maxCostUsd, route.Options.MaxCostUsd, key, arrivedAt);
        var dispatch = new DispatchRequest(request, route, strict, requestId, maxCostUsd)
        {
            SessionId = sessionId,
            Contract = contract,
            VirtualKeyId = key?.Key.Id,
        };
        // A stream also ends when the node's drain timeout passes (ShutdownDrain); plain calls are bounded by their timeouts.
        using var drain = request.Stream ? CancellationTokenSource.CreateLinkedTokenSource(http.RequestAborted, shutdown.Deadline) : null;
        await using var result = await engine.DispatchAsync(dispatch, drain?.Token ?? http.RequestAborted);
        var recorder = new ResponseRecorder(ledger, requestId, arrivedAt, request.Model ?? route.Name, request.Stream) { Key = key };
        if (result.Failure is { } failure)
        {
            await recorder.RecordFailureAsync(result, failure.StatusCode, failure.Code, http.RequestAborted);
            await WriteFailureAsync(http, result, failure);
            return;
        }

        if (result.Stream is { } stream)
        {
            DispatcherMetrics.RecordTimeToFirstToken(time.GetElapsedTime(startedAt), route.Name, stream.Deployment.Alias);
            await SseResponder.WriteAsync(http, result, stream, recorder, Overhead(time, startedAt, result));
            return;
        }

        var completion = result.Completion!;
        var body = completion.Body!;
        await recorder.RecordServedAsync(result, http.RequestAborted);
        WriteServedHeaders(response, result);
        response.Headers[DispatcherHeaders.CostUsd] = HeaderValues.Usd(result.CostUsd);
        response.Headers[DispatcherHeaders.OverheadMs] = HeaderValues.Milliseconds(Overhead(time, startedAt, result));
        response.ContentType = "application/json";
        response.ContentLength = body.Length;
        await response.BodyWriter.WriteAsync(body.WrittenMemory, http.RequestAborted);
    }

    internal static void WriteServedHeaders(HttpResponse response, DispatchResult result)
    {
        var headers = response.Headers;
        headers[DispatcherHeaders.Model] = result.Served!.Alias;
        headers[DispatcherHeaders.Provider] = result.Served.Provider.Name;
        headers[DispatcherHeaders.Attempts] = HeaderValues.Count(result.Attempts);
        headers[DispatcherHeaders.FallbackReasons] = result.Trail.FallbackReasons();
        if (result.Repinned is { } moved)
        {
            headers[DispatcherHeaders.Repinned] = moved;
        }
    }

    private static Task WriteFailureAsync(HttpContext http, DispatchResult result, DispatchFailure failure)
    {
        if (http.RequestAborted.IsCancellationRequested)
        {
            return Task.CompletedTask;
        }

        var headers = http.Response.Headers;
        headers[DispatcherHeaders.Attempts] = HeaderValues.Count(result.Attempts);
        headers[DispatcherHeaders.FallbackReasons] = result.Trail.FallbackReasons();
        if (failure.RetryAfter is { } retryAfter)
        {
            headers.RetryAfter = HeaderValues.Count((int)Math.Ceiling(retryAfter.TotalSeconds));
        }

        return OpenAiError.WriteAsync(http.Response, failure.StatusCode, failure.Message, failure.Code);
    }

    private static double Overhead(TimeProvider time, long startedAt, DispatchResult result) =>
        Math.Max(0, (time.GetTimestamp() - startedAt - result.WaitedTicks) * 1000.0 / time.TimestampFrequency);

    private static bool TryReadMaxCost(HttpRequest request, out decimal? maxCostUsd)
    {
        maxCostUsd = null;
        var header = request.Headers[DispatcherHeaders.MaxCostUsd];
        if (header.Count == 0)
        {
            return true;
        }

        if (decimal.TryParse(header.ToString(), System.Globalization.NumberStyles.AllowDecimalPoint, System.Globalization.CultureInfo.InvariantCulture, out var value))
        {
            maxCostUsd = value;
            return true;
        }

        return false;
    }

    private static bool IsJson(string? contentType) =>
        contentType is null || contentType.StartsWith("application/json", StringComparison.OrdinalIgnoreCase)
        || contentType.Contains("+json", StringComparison.OrdinalIgnoreCase);
}
