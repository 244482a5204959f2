using System.Buffers;
using System.Text;
using Microsoft.AspNetCore.Http;

namespace Dispatcher.FakeUpstream.Anthropic;

/// <summary>
/// Serves POST /v1/messages in Anthropic's wire format: checks the headers (<c>x-api-key</c>, <c>anthropic-version</c>)
/// and the body's required fields as Anthropic does, records the request in the same log and counters as the OpenAI
/// endpoint, and answers with the model's scripted <see cref="FakeBehavior"/>.
/// </summary>
internal sealed class AnthropicMessagesHandler(
    FakeUpstreamOptions options, ModelScripts scripts, RequestLog log, InFlightTracker requests, InFlightTracker streams, CancellationToken stopping)
{
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
            var body = context.Request.BodyReader;
            var read = await body.ReadAsync(aborted);
            while (!read.IsCompleted)
            {
                body.AdvanceTo(read.Buffer.Start, read.Buffer.End);
                read = await body.ReadAsync(aborted);
            }

            var valid = AnthropicRequest.TryParse(read.Buffer, out var request);
            var model = valid && request.Model is { Length: > 0 } name ? scripts.Get(name) : null;
            model?.CountCall();
            streaming = model is not null && request.Stream;
            if (streaming)
            {
                streams.Enter();
            }

            // Counters and in-flight state are updated before a waiting test hears of the request.
            if (log.Wanted)
            {
                log.Add(Capture(context, request, read.Buffer));
            }

            body.AdvanceTo(read.Buffer.End);
            var (status, refusal) = Refusal(context.Request.Headers, valid, request);
            if (refusal is not null || model is null)
            {
                await AnthropicFaultResponder.WriteErrorAsync(
                    context, status, refusal ?? AnthropicErrorBodies.InvalidJson, request.Model, number, aborted);
                return;
            }

            await RespondAsync(context, request, model, ModelScripts.Next(model), number, aborted);
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

    /// <summary>What Anthropic refuses before looking at the model: missing key or version, an invalid body.</summary>
    private static (int Status, AnthropicErrorBody? Error) Refusal(IHeaderDictionary headers, bool valid, AnthropicRequest request)
    {
        if (!headers.ContainsKey("x-api-key"))
        {
            return (StatusCodes.Status401Unauthorized, AnthropicErrorBodies.MissingApiKey);
        }

        if (!headers.ContainsKey("anthropic-version"))
        {
            return (StatusCodes.Status400BadRequest, AnthropicErrorBodies.MissingVersion);
        }

        if (!valid)
        {
            return (StatusCodes.Status400BadRequest, AnthropicErrorBodies.InvalidJson);
        }

        return request.Problem is { } problem
            ? (StatusCodes.Status400BadRequest, new AnthropicErrorBody("invalid_request_error", problem))
            : (StatusCodes.Status400BadRequest, null);
    }

    private async Task RespondAsync(
        HttpContext context, AnthropicRequest request, ModelState model, FakeBehavior behavior, long number, CancellationToken aborted)
    {
        var latency = behavior.Latency ?? options.Latency;
        if (latency > TimeSpan.Zero)
        {
            await Task.Delay(latency, aborted);
        }

        switch (behavior.Kind)
        {
            case FakeBehaviorKind.Error:
                await AnthropicFaultResponder.WriteErrorAsync(context, behavior, model.Name, number, aborted);
                return;
            case FakeBehaviorKind.MalformedJson:
                await AnthropicFaultResponder.WriteMalformedAsync(context, request.Stream, number, aborted);
                return;
            case FakeBehaviorKind.WrongContentType:
                await AnthropicFaultResponder.WriteHtmlAsync(context, number, aborted);
                return;
        }

        var stamp = new AnthropicStamp(number, model.EscapedName, request.PromptTokens);
        var text = behavior.Kind == FakeBehaviorKind.ContentFilterFinish ? _empty : _texts.Get(behavior.Content);
        PreparedToolCall? tool = null;
        byte[]? toolInput = null;
        if (behavior.Kind == FakeBehaviorKind.ToolCall)
        {
            tool = new PreparedToolCall(PreparedText.Escape(behavior.ToolName!), _texts.Get(behavior.ToolArguments));
            toolInput = Encoding.UTF8.GetBytes(string.IsNullOrWhiteSpace(behavior.ToolArguments) ? "{}" : behavior.ToolArguments);
        }

        var answer = new AnthropicAnswer(behavior.Kind, behavior.AfterChunks, stamp, text, tool, toolInput, behavior.ChunkDelay ?? options.ChunkDelay);
        await AnthropicMessageWriter.WriteAsync(context, answer, request.Stream, aborted);
    }

    private static ReceivedRequest Capture(HttpContext context, AnthropicRequest request, ReadOnlySequence<byte> body)
    {
        var source = context.Request.Headers;
        var headers = new Dictionary<string, string>(source.Count, StringComparer.OrdinalIgnoreCase);
        foreach (var (name, value) in source)
        {
            headers[name] = value.ToString();
        }

        var authorization = source.Authorization;
        return new ReceivedRequest(
            request.Model,
            context.Request.Path.Value ?? string.Empty,
            Encoding.UTF8.GetString(body),
            authorization.Count == 0 ? null : authorization.ToString(),
            headers,
            request.Stream);
    }
}
