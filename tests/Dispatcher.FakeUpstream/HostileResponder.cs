using System.Buffers;
using Microsoft.AspNetCore.Http;

namespace Dispatcher.FakeUpstream;

/// <summary>Writes the hostile answers of <see cref="FakeBehavior"/>: endless, gigantic or badly framed.</summary>
internal static class HostileResponder
{
    private const int Block = 64 * 1024;

    private static readonly byte[] RoleChunk =
        "data: {\"id\":\"chatcmpl-hostile\",\"object\":\"chat.completion.chunk\",\"created\":1700000000,\"model\":\"hostile\",\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\"},\"finish_reason\":null}]}\n\n"u8.ToArray();

    private static readonly byte[] EmptyChunk =
        "data: {\"id\":\"chatcmpl-hostile\",\"object\":\"chat.completion.chunk\",\"created\":1700000000,\"model\":\"hostile\",\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":null}]}\n\n"u8.ToArray();

    private static readonly byte[] KeepAlive = ": keep-alive\n\n"u8.ToArray();

    private static readonly byte[] Spaces = CreateFilled((byte)' ', Block);

    private static readonly byte[] Letters = CreateFilled((byte)'x', Block);

    public static Task WriteAsync(HttpContext context, FakeBehavior behavior, bool stream, TimeSpan delay, CancellationToken cancellationToken) =>
        behavior.Kind switch
        {
            FakeBehaviorKind.EndlessStream when stream => RepeatAsync(context, EmptyChunk, delay, cancellationToken),
            FakeBehaviorKind.EndlessKeepAlive when stream => RepeatAsync(context, KeepAlive, delay, cancellationToken),
            FakeBehaviorKind.GiganticChunk => GiganticAsync(context, behavior.Size, stream, cancellationToken),
            FakeBehaviorKind.BrokenFraming => BrokenFramingAsync(context, cancellationToken),
            FakeBehaviorKind.HugeErrorBody => HugeErrorAsync(context, behavior.StatusCode, behavior.Size, cancellationToken),
            _ => EndlessBodyAsync(context, cancellationToken),
        };

    private static async Task RepeatAsync(HttpContext context, byte[] chunk, TimeSpan delay, CancellationToken cancellationToken)
    {
        ResponseHeaders.ApplySuccess(context.Response, ResponseHeaders.EventStream, 0);
        var writer = context.Response.BodyWriter;
        await writer.WriteAsync(RoleChunk, cancellationToken);
        while (true)
        {
            if (delay > TimeSpan.Zero)
            {
                await Task.Delay(delay, cancellationToken);
            }

            await writer.WriteAsync(chunk, cancellationToken);
        }
    }

    private static async Task GiganticAsync(HttpContext context, int size, bool stream, CancellationToken cancellationToken)
    {
        var head = stream
            ? "data: {\"id\":\"chatcmpl-hostile\",\"object\":\"chat.completion.chunk\",\"created\":1700000000,\"model\":\"hostile\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\""u8.ToArray()
            : "{\"id\":\"chatcmpl-hostile\",\"object\":\"chat.completion\",\"created\":1700000000,\"model\":\"hostile\",\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\""u8.ToArray();
        var tail = stream ? "\"},\"finish_reason\":\"stop\"}]}\n\ndata: [DONE]\n\n"u8.ToArray() : "\"},\"finish_reason\":\"stop\"}]}"u8.ToArray();
        var response = context.Response;
        ResponseHeaders.ApplySuccess(response, stream ? ResponseHeaders.EventStream : ResponseHeaders.Json, 0);
        if (!stream)
        {
            response.ContentLength = head.Length + size + tail.Length;
        }

        await response.BodyWriter.WriteAsync(head, cancellationToken);
        for (var left = size; left > 0; left -= Block)
        {
            await response.BodyWriter.WriteAsync(Letters.AsMemory(0, Math.Min(Block, left)), cancellationToken);
        }

        await response.BodyWriter.WriteAsync(tail, cancellationToken);
    }

    private static async Task BrokenFramingAsync(HttpContext context, CancellationToken cancellationToken)
    {
        ResponseHeaders.ApplySuccess(context.Response, ResponseHeaders.EventStream, 0);
        var writer = context.Response.BodyWriter;
        foreach (var chunk in new[] { RoleChunk, EmptyChunk, EmptyChunk })
        {
            // One newline where SSE needs a blank line: the events run together into one.
            await writer.WriteAsync(chunk.AsMemory(0, chunk.Length - 1), cancellationToken);
        }

        await writer.WriteAsync("data: [DONE]\n"u8.ToArray(), cancellationToken);
    }

    private static async Task HugeErrorAsync(HttpContext context, int status, int size, CancellationToken cancellationToken)
    {
        var head = "{\"error\":{\"type\":\"server_error\",\"code\":null,\"param\":null,\"message\":\""u8.ToArray();
        var tail = "\"}}"u8.ToArray();
        var response = context.Response;
        ResponseHeaders.Apply(response, status, ResponseHeaders.Json, 0);
        response.ContentLength = head.Length + size + tail.Length;
        await response.BodyWriter.WriteAsync(head, cancellationToken);
        for (var left = size; left > 0; left -= Block)
        {
            await response.BodyWriter.WriteAsync(Letters.AsMemory(0, Math.Min(Block, left)), cancellationToken);
        }

        await response.BodyWriter.WriteAsync(tail, cancellationToken);
    }

    private static async Task EndlessBodyAsync(HttpContext context, CancellationToken cancellationToken)
    {
        ResponseHeaders.ApplySuccess(context.Response, ResponseHeaders.Json, 0);
        var writer = context.Response.BodyWriter;
        await writer.WriteAsync("{\"id\":\"chatcmpl-hostile\",\"object\":\"chat.completion\",\"choices\":["u8.ToArray(), cancellationToken);
        while (true)
        {
            await writer.WriteAsync(Spaces, cancellationToken);
        }
    }

    private static byte[] CreateFilled(byte value, int length)
    {
        var bytes = new byte[length];
        bytes.AsSpan().Fill(value);
        return bytes;
    }
}
