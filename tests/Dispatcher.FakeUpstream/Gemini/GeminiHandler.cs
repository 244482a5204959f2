using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace Dispatcher.FakeUpstream.Gemini;

/// <summary>
/// Serves Gemini's <c>POST /v1beta/models/{model}:generateContent</c> and <c>:streamGenerateContent?alt=sse</c> with
/// the same scripts, counters and request log as the OpenAI endpoint: the model is the one the path names, the key
/// is read from <c>x-goog-api-key</c> (or <c>?key=</c>), and each <see cref="FakeBehavior"/> is answered the way
/// Gemini would show that fault.
/// </summary>
internal sealed class GeminiHandler(
    FakeUpstreamOptions options, ModelScripts scripts, RequestLog log, InFlightTracker requests, InFlightTracker streams, CancellationToken stopping)
{
    /// <summary>The route the handler serves; <c>{target}</c> is <c>{model}:{method}</c>.</summary>
    public const string Route = "/v1beta/models/{target}";

    private readonly TextCache _texts = new(options);
    private readonly PreparedText _empty = PreparedText.Create(string.Empty, 1);
    private long _number;

    public async Task HandleAsync(HttpContext context)
    {
        var aborted = context.RequestAborted;
        var number = Interlocked.Increment(ref _number);
        scripts.CountRequest();

        // Shutdown aborts the connection, so every wait below needs only RequestAborted.
        using var onStop = stopping.UnsafeRegister(static state => ((HttpContext)state!).Abort(), context);
        requests.Enter();
        var streaming = false;
        try
        {
            var target = context.Request.RouteValues["target"] as string ?? string.Empty;
            var colon = target.LastIndexOf(':');
            var method = colon > 0 ? target[(colon + 1)..] : string.Empty;
            var modelName = colon > 0 && method is "generateContent" or "streamGenerateContent" ? target[..colon] : null;
            var stream = method == "streamGenerateContent";

            var body = context.Request.BodyReader;
            var read = await body.ReadAsync(aborted);
            while (!read.IsCompleted)
            {
                body.AdvanceTo(read.Buffer.Start, read.Buffer.End);
                read = await body.ReadAsync(aborted);
            }

            var valid = GeminiRequest.TryParse(read.Buffer, out var request, out var invalid);
            var model = modelName is { Length: > 0 } ? scripts.Get(modelName) : null;
            model?.CountCall();
            streaming = model is not null && stream;
            if (streaming)
            {
                streams.Enter();
            }

            // Counters and in-flight state are updated before a waiting test hears of the request.
            if (log.Wanted)
            {
                log.Add(Capture(context, modelName, stream, read.Buffer));
            }

            body.AdvanceTo(read.Buffer.End);
            var apiKey = ApiKey(context.Request);
            byte[]? refusal = model is null ? GeminiErrorBodies.UnknownMethod(context.Request.Path)
                : apiKey is null ? GeminiErrorBodies.Unregistered
                : !valid ? GeminiErrorBodies.InvalidArgument(invalid)
                : stream && context.Request.Query["alt"] != "sse" ? GeminiErrorBodies.InvalidArgument("The fake serves streamGenerateContent only with alt=sse.")
                : null;
            if (refusal is not null)
            {
                var status = model is null ? 404 : apiKey is null ? 403 : 400;
                await GeminiReplyWriter.WriteErrorAsync(context, status, refusal, null, aborted);
                return;
            }

            await RespondAsync(context, request, model!, apiKey!, stream, ModelScripts.Next(model!), number, aborted);
        }
        catch (Exception ex) when (aborted.IsCancellationRequested && ex is OperationCanceledException or IOException)
        {
            // The client, the server's shutdown or a Cut behavior ended the request: there is no one left to answer.
        }
        finally
        {
            if (streaming)
            {
                streams.Exit();
            }

            requests.Exit();
        }
    }

    private async Task RespondAsync(
        HttpContext context, GeminiRequest request, ModelState model, string apiKey, bool stream, FakeBehavior behavior, long number, CancellationToken aborted)
    {
        var latency = behavior.Latency ?? options.Latency;
        if (latency > TimeSpan.Zero)
        {
            await Task.Delay(latency, aborted);
        }

        var promptBlocked = behavior.Kind == FakeBehaviorKind.Error && ReferenceEquals(behavior.Error, OpenAiErrors.ContentFilter);
        switch (behavior.Kind)
        {
            case FakeBehaviorKind.Error when !promptBlocked:
                var error = GeminiErrorBodies.For(behavior, model.Name, apiKey);

                // Gemini states a wait in RetryInfo, not in headers: the OpenAI rate-limit headers of a generated 429 stay out.
                var headers = error is not null && behavior.StatusCode == 429 ? null : behavior.Headers;
                await GeminiReplyWriter.WriteErrorAsync(context, behavior.StatusCode, error ?? behavior.RawBody ?? [], headers, aborted);
                return;
            case FakeBehaviorKind.MalformedJson:
                await GeminiReplyWriter.WriteMalformedAsync(context, stream, aborted);
                return;
            case FakeBehaviorKind.WrongContentType:
                await FaultResponder.WriteHtmlAsync(context, number, aborted);
                return;
            default:
                break;
        }

        var responseId = "fake" + number.ToString("x8", CultureInfo.InvariantCulture);
        var stamp = new GeminiStamp(model.Name, responseId, request.PromptTokens);
        var text = behavior.Kind == FakeBehaviorKind.ContentFilterFinish ? _empty : _texts.Get(behavior.Content);
        var call = behavior.Kind == FakeBehaviorKind.ToolCall ? ToolCall(behavior) : null;
        var reply = new GeminiReply(behavior.Kind, behavior.AfterChunks, stamp, text, call, promptBlocked, behavior.ChunkDelay ?? options.ChunkDelay);
        await GeminiReplyWriter.WriteAsync(context, reply, stream, aborted);
    }

    /// <summary>Gemini's args are an object: arguments that are not one are sent as <c>{}</c>.</summary>
    private GeminiToolCall ToolCall(FakeBehavior behavior)
    {
        var arguments = behavior.ToolArguments!;
        try
        {
            using var document = JsonDocument.Parse(arguments);
            arguments = document.RootElement.ValueKind == JsonValueKind.Object ? arguments : "{}";
        }
        catch (JsonException)
        {
            arguments = "{}";
        }

        return new GeminiToolCall(behavior.ToolName!, arguments, _texts.Get(behavior.ToolArguments).Tokens);
    }

    private static string? ApiKey(HttpRequest request)
    {
        var header = request.Headers["x-goog-api-key"];
        if (header.Count > 0 && !string.IsNullOrEmpty(header[0]))
        {
            return header[0];
        }

        var query = request.Query["key"];
        return query.Count > 0 && !string.IsNullOrEmpty(query[0]) ? query[0] : null;
    }

    private static ReceivedRequest Capture(HttpContext context, string? model, bool stream, ReadOnlySequence<byte> body)
    {
        var source = context.Request.Headers;
        var headers = new Dictionary<string, string>(source.Count, StringComparer.OrdinalIgnoreCase);
        foreach (var (name, value) in source)
        {
            headers[name] = value.ToString();
        }

        var authorization = source.Authorization;

        // The query is kept with the path: it says alt=sse, and would show a key sent in the URL.
        return new ReceivedRequest(
            model,
            (context.Request.Path.Value ?? string.Empty) + context.Request.QueryString.Value,
            Encoding.UTF8.GetString(body),
            authorization.Count == 0 ? null : authorization.ToString(),
            headers,
            stream);
    }
}
