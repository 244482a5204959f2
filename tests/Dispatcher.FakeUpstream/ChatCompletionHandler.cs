using System.Buffers;
using System.Text;
using Microsoft.AspNetCore.Http;

namespace Dispatcher.FakeUpstream;

/// <summary>Serves POST /v1/chat/completions: reads the request, records it, picks the behavior and answers.</summary>
internal sealed class ChatCompletionHandler(
    FakeUpstreamOptions options, ModelScripts scripts, RequestLog log, InFlightTracker requests, InFlightTracker streams, CancellationToken stopping)
{
    private readonly TextCache _texts = new(options);
    private readonly PreparedText _empty = PreparedText.Create(string.Empty, 1);
    private long _number;

    /// <summary>Where abandoned streams are recorded.</summary>
    public CancellationLog? Cancelled { get; init; }

    public async Task HandleAsync(HttpContext context)
    {
        var aborted = context.RequestAborted;
        var number = Interlocked.Increment(ref _number);
        scripts.CountRequest();

        // Shutdown aborts the connection, so every wait below needs only RequestAborted.
        using var onStop = stopping.UnsafeRegister(static state => ((HttpContext)state!).Abort(), context);
        requests.Enter();
        var streaming = false;
        string? streamedModel = null;
        try
        {
            var body = context.Request.BodyReader;
            var read = await body.ReadAsync(aborted);
            while (!read.IsCompleted)
            {
                body.AdvanceTo(read.Buffer.Start, read.Buffer.End);
                read = await body.ReadAsync(aborted);
            }

            var valid = ChatRequest.TryParse(read.Buffer, out var request);
            var model = valid && request.Model is { Length: > 0 } name ? scripts.Get(name) : null;
            model?.CountCall();
            streaming = model is not null && request.Stream;
            if (streaming)
            {
                streams.Enter();
                streamedModel = model!.Name;
            }

            // Counters and in-flight state are updated before a waiting test hears of the request.
            if (log.Wanted)
            {
                log.Add(Capture(context, request, read.Buffer));
            }

            body.AdvanceTo(read.Buffer.End);
            if (model is null)
            {
                var error = valid ? OpenAiErrors.MissingModel : OpenAiErrors.InvalidJson;
                await FaultResponder.WriteErrorAsync(context, StatusCodes.Status400BadRequest, error, number, aborted);
                return;
            }

            await RespondAsync(context, request, model, ModelScripts.Next(model), number, aborted);
        }
        catch (Exception ex) when (aborted.IsCancellationRequested && ex is OperationCanceledException or IOException)
        {
            // The client, the server's shutdown or a Cut behavior ended the request: there is no one left to answer.
            if (streamedModel is not null && !stopping.IsCancellationRequested)
            {
                Cancelled?.Add(streamedModel);
            }
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
        HttpContext context, ChatRequest request, ModelState model, FakeBehavior behavior, long number, CancellationToken aborted)
    {
        var latency = behavior.Latency ?? options.Latency;
        if (latency > TimeSpan.Zero)
        {
            await Task.Delay(latency, aborted);
        }

        if (behavior.HoldUntil is { } hold)
        {
            await hold.WaitAsync(aborted);
        }

        switch (behavior.Kind)
        {
            case FakeBehaviorKind.Error:
                await FaultResponder.WriteErrorAsync(context, behavior, model.Name, number, aborted);
                return;
            case FakeBehaviorKind.MalformedJson:
                await FaultResponder.WriteMalformedAsync(context, request.Stream, number, aborted);
                return;
            case FakeBehaviorKind.WrongContentType:
                await FaultResponder.WriteHtmlAsync(context, number, aborted);
                return;
            case >= FakeBehaviorKind.EndlessStream:
                await HostileResponder.WriteAsync(context, behavior, request.Stream, behavior.ChunkDelay ?? options.ChunkDelay, aborted);
                return;
        }

        var created = TimeProvider.System.GetUtcNow().ToUnixTimeSeconds();
        var stamp = new CompletionStamp(number, created, model.EscapedName, request.PromptTokens, request.Stream && request.IncludeUsage);
        var text = behavior.Kind == FakeBehaviorKind.ContentFilterFinish ? _empty : _texts.Get(behavior.Content);
        var tool = behavior.ToolName is not null
            ? new PreparedToolCall(PreparedText.Escape(behavior.ToolName!), _texts.Get(behavior.ToolArguments))
            : null;
        var answer = new ChatAnswer(behavior.Kind, behavior.AfterChunks, stamp, text, tool, behavior.ChunkDelay ?? options.ChunkDelay);
        await ChatCompletionWriter.WriteAsync(context, answer, request.Stream, aborted);
    }

    private static ReceivedRequest Capture(HttpContext context, ChatRequest request, ReadOnlySequence<byte> body)
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
            (context.Request.Path.Value ?? string.Empty) + context.Request.QueryString.Value,
            Encoding.UTF8.GetString(body),
            authorization.Count == 0 ? null : authorization.ToString(),
            headers,
            request.Stream);
    }
}
