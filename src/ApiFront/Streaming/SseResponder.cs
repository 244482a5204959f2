using System.IO.Pipelines;
using Dispatcher.ApiFront.Contracts;
using Dispatcher.ApiFront.Endpoints;
using Dispatcher.Grains.Dispatch;
using Dispatcher.Providers;
using Microsoft.AspNetCore.Http;

namespace Dispatcher.ApiFront.Streaming;

/// <summary>
/// Writes a committed stream as server-sent events: the held chunks, each live chunk flushed as it arrives, then the
/// trailer. A stream that fails after its commit point ends with a typed error event, and the connection is then
/// aborted so that an SDK which ignores the event still sees an error, never a clean end of half an answer.
/// </summary>
internal static class SseResponder
{
    public static async Task WriteAsync(HttpContext http, DispatchResult result, StreamingAnswer stream, ResponseRecorder recorder, double overheadMs)
    {
        var response = http.Response;
        ChatCompletionsApi.WriteServedHeaders(response, result);
        response.Headers[DispatcherHeaders.OverheadMs] = HeaderValues.Milliseconds(overheadMs);
        response.ContentType = "text/event-stream; charset=utf-8";
        response.Headers.CacheControl = "no-cache";
        response.Headers["X-Accel-Buffering"] = "no";
        var writer = response.BodyWriter;
        var clientGone = http.RequestAborted;
        try
        {
            await writer.WriteAsync(stream.Held, clientGone);
            while (await stream.ReadAsync() == ChunkReadStatus.Chunk)
            {
                Frame(writer, stream.Chunk.Span);
                if (!stream.HasBufferedChunk)
                {
                    await writer.FlushAsync(clientGone);
                }
            }
        }
        catch (OperationCanceledException) when (clientGone.IsCancellationRequested)
        {
            // The client left: the upstream call was cancelled with it; the row below records it.
        }

        var usage = stream.Usage;
        if (clientGone.IsCancellationRequested)
        {
            await stream.DisposeAsync();
            await recorder.RecordStreamAsync(result, stream, usage);
            return;
        }

        await recorder.RecordStreamAsync(result, stream, usage);
        stream.WriteTrailer(writer);
        await writer.FlushAsync(clientGone);
        if (stream.EndKind != FailureKind.None)
        {
            // No terminating chunk: the body must not look complete to a client that ignores the error event.
            http.Abort();
        }
    }

    private static void Frame(PipeWriter writer, ReadOnlySpan<byte> chunk)
    {
        var span = writer.GetSpan(chunk.Length + 8);
        "data: "u8.CopyTo(span);
        chunk.CopyTo(span[6..]);
        "\n\n"u8.CopyTo(span[(6 + chunk.Length)..]);
        writer.Advance(chunk.Length + 8);
    }
}
