using System.Buffers;
using System.Text.Json;

namespace Dispatcher.Providers.Chat;

/// <summary>
/// Builds the request that asks another model to continue a stream that broke after its commit point: the client's
/// body with the partial answer appended as an assistant message (a prefill, where the target continues it) and,
/// for targets without prefill, one user message carrying the continuation instruction. Nothing else changes: the
/// client's own system prompt and messages stay as they were.
/// </summary>
public static class ContinuationRequest
{
    /// <summary>The continuation of <paramref name="original"/> after <paramref name="partialAnswer"/>.</summary>
    /// <param name="original">The client's parsed request.</param>
    /// <param name="partialAnswer">The assistant text already sent to the client.</param>
    /// <param name="instruction">The user message asking to continue; null for a prefill target.</param>
    /// <returns>A parsed request that owns its buffer (dispose it), or null when the original cannot be extended.</returns>
    public static ChatRequest? Create(ChatRequest original, string partialAnswer, string? instruction)
    {
        ArgumentNullException.ThrowIfNull(original);
        ArgumentNullException.ThrowIfNull(partialAnswer);
        if (original.MessagesEnd < 0)
        {
            return null;
        }

        var body = original.Body.Span;
        var appended = new ArrayBufferWriter<byte>(partialAnswer.Length + (instruction?.Length ?? 0) + 128);
        WriteMessage(appended, "assistant", partialAnswer);
        if (instruction is not null)
        {
            WriteMessage(appended, "user", instruction);
        }

        var length = body.Length + appended.WrittenCount;
        var pooled = ArrayPool<byte>.Shared.Rent(length);
        var at = original.MessagesEnd;
        body[..at].CopyTo(pooled);
        appended.WrittenSpan.CopyTo(pooled.AsSpan(at));
        body[at..].CopyTo(pooled.AsSpan(at + appended.WrittenCount));
        return ChatRequestParser.Parse(pooled, length, out _);
    }

    private static void WriteMessage(ArrayBufferWriter<byte> output, string role, string content)
    {
        output.Write(","u8);
        using var json = new Utf8JsonWriter(output);
        json.WriteStartObject();
        json.WriteString("role"u8, role);
        json.WriteString("content"u8, content);
        json.WriteEndObject();
    }
}
