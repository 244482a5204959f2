using Microsoft.AspNetCore.Http;

namespace Dispatcher.FakeUpstream.Anthropic;

/// <summary>Writes a 200 Messages answer, whole or as SSE events (message_start, content_block_start, ping, deltas,
/// content_block_stop, message_delta, message_stop), including the faults after the headers: stall, cut, in-band error.</summary>
internal static class AnthropicMessageWriter
{
    public static Task WriteAsync(HttpContext context, AnthropicAnswer answer, bool stream, CancellationToken cancellationToken) =>
        stream ? WriteStreamAsync(context, answer, cancellationToken) : WriteWholeAsync(context, answer, cancellationToken);

    private static async Task WriteWholeAsync(HttpContext context, AnthropicAnswer answer, CancellationToken cancellationToken)
    {
        using var body = new PooledBufferWriter();
        if (answer.Kind == FakeBehaviorKind.InBandError)
        {
            body.Append(AnthropicErrorBodies.Overloaded.Render(null, answer.Stamp.Number));
        }
        else
        {
            AnthropicMessageJson.WriteMessage(body, answer);
        }

        var response = context.Response;
        AnthropicHeaders.ApplySuccess(response, ResponseHeaders.Json, answer.Stamp.Number);
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

    private static async Task WriteStreamAsync(HttpContext context, AnthropicAnswer answer, CancellationToken cancellationToken)
    {
        var response = context.Response;
        AnthropicHeaders.ApplySuccess(response, ResponseHeaders.EventStream, answer.Stamp.Number);
        var writer = response.BodyWriter;
        AnthropicMessageJson.WriteMessageStartEvent(writer, answer.Stamp);
        if (answer.HasBlock)
        {
            AnthropicMessageJson.WriteBlockStartEvent(writer, answer.Stamp, answer.Tool);
        }

        AnthropicMessageJson.WritePingEvent(writer);
        await writer.FlushAsync(cancellationToken);

        var pieces = answer.HasBlock ? answer.Pieces : [];
        var count = answer.StopsEarly ? Math.Min(answer.AfterChunks, pieces.Count) : pieces.Count;
        for (var i = 0; i < count; i++)
        {
            await PauseAsync(answer.ChunkDelay, cancellationToken);
            AnthropicMessageJson.WriteDeltaEvent(writer, pieces[i], answer.Tool is not null);
            await writer.FlushAsync(cancellationToken);
        }

        await PauseAsync(answer.ChunkDelay, cancellationToken);
        switch (answer.Kind)
        {
            case FakeBehaviorKind.Stall or FakeBehaviorKind.Cut:
                await StopEarlyAsync(context, answer.Kind, cancellationToken);
                return;
            case FakeBehaviorKind.InBandError:
                AnthropicMessageJson.WriteErrorEvent(writer, AnthropicErrorBodies.Overloaded.Render(null, answer.Stamp.Number));
                break;
            default:
                if (answer.HasBlock)
                {
                    AnthropicMessageJson.WriteBlockStopEvent(writer);
                }

                AnthropicMessageJson.WriteMessageDeltaEvent(writer, answer.StopReason, answer.OutputTokens);
                AnthropicMessageJson.WriteMessageStopEvent(writer);
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
