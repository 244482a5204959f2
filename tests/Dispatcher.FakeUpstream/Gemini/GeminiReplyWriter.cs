using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;

namespace Dispatcher.FakeUpstream.Gemini;

/// <summary>Everything needed to write one 200 Gemini answer.</summary>
/// <remarks>PromptBlocked: the prompt is refused (promptFeedback); Call set: a function call answer, Text unused.</remarks>
internal readonly record struct GeminiReply(
    FakeBehaviorKind Kind, int AfterChunks, GeminiStamp Stamp, PreparedText Text, GeminiToolCall? Call, bool PromptBlocked, TimeSpan ChunkDelay)
{
    public bool StopsEarly => Kind is FakeBehaviorKind.Stall or FakeBehaviorKind.Cut or FakeBehaviorKind.InBandError;
}

/// <summary>
/// Writes a 200 Gemini answer, whole (<c>generateContent</c>) or as server-sent events (<c>streamGenerateContent?alt=sse</c>:
/// one <c>data:</c> line per GenerateContentResponse, CRLF-separated, no <c>[DONE]</c>), with the faults that happen
/// after the headers: stall, cut, in-band error.
/// </summary>
internal static class GeminiReplyWriter
{
    public static readonly StringValues Json = "application/json; charset=UTF-8";
    public static readonly StringValues EventStream = "text/event-stream";

    public static Task WriteAsync(HttpContext context, GeminiReply reply, bool stream, CancellationToken cancellationToken) =>
        stream ? WriteStreamAsync(context, reply, cancellationToken) : WriteWholeAsync(context, reply, cancellationToken);

    public static Task WriteErrorAsync(HttpContext context, int status, byte[] body, IReadOnlyDictionary<string, string>? headers, CancellationToken cancellationToken)
    {
        var response = context.Response;
        response.StatusCode = status;
        response.Headers.ContentType = Json;
        if (headers is not null)
        {
            foreach (var (name, value) in headers)
            {
                response.Headers[name] = value;
            }
        }

        response.ContentLength = body.Length;
        return body.Length == 0 ? Task.CompletedTask : response.BodyWriter.WriteAsync(body, cancellationToken).AsTask();
    }

    /// <summary>200 whose JSON is cut off (complete at the HTTP level), or a stream with one unparseable event.</summary>
    public static Task WriteMalformedAsync(HttpContext context, bool stream, CancellationToken cancellationToken)
    {
        var body = stream
            ? "data: {not json\r\n\r\n"u8.ToArray()
            : "{\n  \"candidates\": [\n    {\n      \"content\": {\n        \"parts\": [\n          {\n            \"text\": \"Hel"u8.ToArray();
        context.Response.Headers.ContentType = stream ? EventStream : Json;
        context.Response.ContentLength = body.Length;
        return context.Response.BodyWriter.WriteAsync(body, cancellationToken).AsTask();
    }

    private static async Task WriteWholeAsync(HttpContext context, GeminiReply reply, CancellationToken cancellationToken)
    {
        using var body = new PooledBufferWriter();
        if (reply.Kind == FakeBehaviorKind.InBandError)
        {
            body.Append(GeminiErrorBodies.InBand);
        }
        else
        {
            using var json = new Utf8JsonWriter(body, GeminiAnswerJson.Indented);
            WriteFinalAnswer(json, reply);
        }

        var response = context.Response;
        response.Headers.ContentType = Json;
        response.ContentLength = body.WrittenCount;
        var bytes = body.WrittenMemory;
        if (reply.Kind is not (FakeBehaviorKind.Stall or FakeBehaviorKind.Cut))
        {
            await response.BodyWriter.WriteAsync(bytes, cancellationToken);
            return;
        }

        // Content-Length promises the whole body, so the client sees a truncated message, not a short valid one.
        await response.BodyWriter.WriteAsync(bytes[..(bytes.Length / 2)], cancellationToken);
        await StopEarlyAsync(context, reply.Kind, cancellationToken);
    }

    private static void WriteFinalAnswer(Utf8JsonWriter json, in GeminiReply reply)
    {
        if (reply.PromptBlocked)
        {
            GeminiAnswerJson.WritePromptBlocked(json, reply.Stamp);
        }
        else if (reply.Kind == FakeBehaviorKind.ContentFilterFinish)
        {
            GeminiAnswerJson.WriteAnswer(json, reply.Stamp, null, null, "SAFETY", 0);
        }
        else if (reply.Call is { } call)
        {
            GeminiAnswerJson.WriteAnswer(json, reply.Stamp, null, call, "STOP", call.Tokens);
        }
        else
        {
            GeminiAnswerJson.WriteAnswer(json, reply.Stamp, reply.Text.Whole, null, "STOP", reply.Text.Tokens);
        }
    }

    private static async Task WriteStreamAsync(HttpContext context, GeminiReply reply, CancellationToken cancellationToken)
    {
        var response = context.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.Headers.ContentType = EventStream;
        await response.StartAsync(cancellationToken);
        if (reply.PromptBlocked || reply.Kind == FakeBehaviorKind.ContentFilterFinish || reply.Call is not null)
        {
            // Gemini sends a refusal, a safety stop and a function call whole, in one event.
            using var events = new PooledBufferWriter();
            WriteEvent(events, json => WriteFinalAnswer(json, reply));
            await response.BodyWriter.WriteAsync(events.WrittenMemory, cancellationToken);
            return;
        }

        var pieces = reply.Text.Pieces;
        var count = reply.StopsEarly ? Math.Min(reply.AfterChunks, pieces.Count) : Math.Max(pieces.Count, 1);
        for (var i = 0; i < count; i++)
        {
            if (i > 0)
            {
                await PauseAsync(reply.ChunkDelay, cancellationToken);
            }

            var last = !reply.StopsEarly && i == count - 1;
            var piece = pieces.Count == 0 ? [] : pieces[i];
            var tokens = pieces.Count == 0 ? 0 : reply.Text.Tokens * (i + 1) / pieces.Count;
            using var one = new PooledBufferWriter();
            WriteEvent(one, json => GeminiAnswerJson.WriteAnswer(json, reply.Stamp, piece, null, last ? "STOP" : null, tokens));
            await response.BodyWriter.WriteAsync(one.WrittenMemory, cancellationToken);
        }

        await PauseAsync(reply.ChunkDelay, cancellationToken);
        switch (reply.Kind)
        {
            case FakeBehaviorKind.Stall or FakeBehaviorKind.Cut:
                await StopEarlyAsync(context, reply.Kind, cancellationToken);
                return;
            case FakeBehaviorKind.InBandError:
                using (var error = new PooledBufferWriter())
                {
                    error.Append("data: "u8);
                    error.Append(GeminiErrorBodies.InBand);
                    error.Append("\r\n\r\n"u8);
                    await response.BodyWriter.WriteAsync(error.WrittenMemory, cancellationToken);
                }

                break;
            default:
                break;
        }

        await response.BodyWriter.FlushAsync(cancellationToken);
    }

    private static void WriteEvent(PooledBufferWriter output, Action<Utf8JsonWriter> write)
    {
        output.Append("data: "u8);
        using (var json = new Utf8JsonWriter(output, GeminiAnswerJson.Compact))
        {
            write(json);
        }

        output.Append("\r\n\r\n"u8);
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
