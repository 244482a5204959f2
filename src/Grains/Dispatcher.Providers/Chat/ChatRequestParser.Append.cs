using System.Buffers;

namespace Dispatcher.Providers.Chat;

// A follow-up turn (a schema repair) is the same request with messages appended: the body is copied once with the
// new messages spliced before the ']' that closes "messages", then parsed like any body.
public static partial class ChatRequestParser
{
    /// <summary>
    /// A new request: <paramref name="request"/>'s body with <paramref name="messagesJson"/> (one or more message
    /// objects, comma-separated, no brackets) appended to <c>messages</c>. Dispose it when the attempt ends.
    /// </summary>
    /// <exception cref="InvalidOperationException">The spliced body does not parse (the messages were not JSON objects).</exception>
    public static ChatRequest AppendMessages(ChatRequest request, ReadOnlySpan<byte> messagesJson)
    {
        ArgumentNullException.ThrowIfNull(request);
        var body = request.Body.Span;
        var end = request.MessagesEnd;
        var length = body.Length + 1 + messagesJson.Length;
        var pooled = ArrayPool<byte>.Shared.Rent(length);
        body[..end].CopyTo(pooled);
        pooled[end] = (byte)',';
        messagesJson.CopyTo(pooled.AsSpan(end + 1));
        body[end..].CopyTo(pooled.AsSpan(end + 1 + messagesJson.Length));
        return Parse(pooled, length, out var error)
            ?? throw new InvalidOperationException("The appended messages did not form a valid request: " + error!.Message);
    }
}
