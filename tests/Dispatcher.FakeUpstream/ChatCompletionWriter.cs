using Microsoft.AspNetCore.Http;

namespace Dispatcher.FakeUpstream;

/// <summary>Writes a 200 chat answer, whole (chat.completion) or streamed (chat.completion.chunk events),
/// including the faults that happen after the headers: stall, cut, in-band error.</summary>
internal static class ChatCompletionWriter
{
    public static Task WriteAsync(HttpContext context, ChatAnswer answer, bool stream, CancellationToken cancellationToken) =>
        stream ? WriteStreamAsync(context, answer, cancellationToken) : WriteWholeAsync(context, answer, cancellationToken);

    private static async Task WriteWholeAsync(HttpContext context, ChatAnswer answer, CancellationToken cancellationToken)
    {
        using var body = new PooledBufferWriter();
        if (answer.Kind == FakeBehaviorKind.InBandError)
        {
            body.Append(OpenAiErrors.InBand.Render(null));
        }
        else
        {
            var content = answer.Tool is null ? answer.Text.Whole : null;
            ChatCompletionJson.WriteCompletion(body, answer.Stamp, content, answer.Tool, answer.FinishReason, answer.CompletionTokens);
        }

        var response = context.Response;
        ResponseHeaders.ApplySuccess(response, ResponseHeaders.Json, answer.Stamp.Number);
        response.ContentLength = body.WrittenCount;
        var bytes = body.WrittenMemory;
        if (answer.Kind is not (FakeBehaviorKind.Stall or FakeBehaviorKind.Cut))
        {
            await response.BodyWriter.WriteAsync(bytes, cancellationToken);
            return;
        }

        // Content-Length promises the whole body, so the client sees a truncated message, not a short valid one.
        await response.BodyWriter.WriteAsync(bytes[..(bytes.Length / 2)], cancellationToken);
        await StopEarlyAsync(context, answer.Kind, cancellationToken);
    }

    private static async Task WriteStreamAsync(HttpContext context, ChatAnswer answer, CancellationToken cancellationToken)
    {
        var response = context.Response;
        ResponseHeaders.ApplySuccess(response, ResponseHeaders.EventStream, answer.Stamp.Number);
        var writer = response.BodyWriter;
        ChatCompletionJson.WriteRoleChunk(writer, answer.Stamp, answer.Tool);
        await writer.FlushAsync(cancellationToken);

        var pieces = answer.Pieces;
        var count = answer.StopsEarly ? Math.Min(answer.AfterChunks, pieces.Count) : pieces.Count;
        for (var i = 0; i < count; i++)
        {
            await PauseAsync(answer.ChunkDelay, cancellationToken);
            ChatCompletionJson.WriteContentChunk(writer, answer.Stamp, pieces[i], answer.Tool is not null);
            await writer.FlushAsync(cancellationToken);
        }

        await PauseAsync(answer.ChunkDelay, cancellationToken);
        switch (answer.Kind)
        {
            case FakeBehaviorKind.Stall or FakeBehaviorKind.Cut:
                await StopEarlyAsync(context, answer.Kind, cancellationToken);
                return;
            case FakeBehaviorKind.InBandError:
                ChatCompletionJson.WriteEvent(writer, OpenAiErrors.InBand.Render(null));
                break;
            default:
                ChatCompletionJson.WriteFinishChunk(writer, answer.Stamp, answer.FinishReason);
                if (answer.Stamp.IncludeUsage)
                {
                    ChatCompletionJson.WriteUsageChunk(writer, answer.Stamp, answer.CompletionTokens);
                }

                ChatCompletionJson.WriteDone(writer);
                break;
        }

        await writer.FlushAsync(cancellationToken);
    }

    /// <summary>Stall: flush what was written and wait until the client or the server gives up. Cut: abort the connection.</summary>
    private static async Task StopEarlyAsync(HttpContext context, FakeBehaviorKind kind, CancellationToken cancellationToken)
    {
        await context.Response.BodyWriter.FlushAsync(cancellationToken);
        if (kind == FakeBehaviorKind.Cut)
        {
            context.Abort();
            return;
        }

        await Task.Delay(Timeout.InfiniteTimeSpan, cancellationToken);
    }

    private static Task PauseAsync(TimeSpan delay, CancellationToken cancellationToken) =>
        delay > TimeSpan.Zero ? Task.Delay(delay, cancellationToken) : Task.CompletedTask;
}
