namespace Dispatcher.Grains.Conversations;

/// <summary>
/// Identifies a conversation: the caller's scope (its virtual key id, or <see cref="AnonymousScope"/>) and the
/// session id from <c>x-dispatcher-session</c>. Never the session id alone: two callers may pick the same id.
/// </summary>
/// <param name="Scope">The virtual key id, or <see cref="AnonymousScope"/>.</param>
/// <param name="SessionId">The client's session id.</param>
public readonly record struct ConversationKey(string Scope, string SessionId)
{
    /// <summary>The scope of requests without a virtual key.</summary>
    public const string AnonymousScope = "anonymous";

    /// <summary>The key of <paramref name="sessionId"/> for <paramref name="virtualKeyId"/> (null = anonymous).</summary>
    public static ConversationKey For(string? virtualKeyId, string sessionId) => new(virtualKeyId ?? AnonymousScope, sessionId);
}
