namespace Dispatcher.Grains.Conversations;

/// <summary>
/// The durable state of one conversation: the model it is pinned to and how it got there. Immutable; every change is
/// a new pin with <see cref="Version"/> one higher, saved by compare-and-set (<see cref="IConversationPinStore"/>).
/// </summary>
/// <param name="Key">Whose conversation.</param>
/// <param name="ModelAlias">The pinned model alias.</param>
/// <param name="Provider">The pinned model's provider.</param>
/// <param name="Turns">Turns served so far (as last saved; a node may count a few more before its next save).</param>
/// <param name="FallbackHistory">Every move of the pin, oldest first, as <c>old-&gt;new</c>.</param>
/// <param name="PinnedAt">When the pin last moved (or was created).</param>
/// <param name="LastUsed">When the conversation last had a turn (as last saved).</param>
/// <param name="ExpiresAt">When the pin lapses without another save: <see cref="LastUsed"/> plus the route's idle TTL.</param>
/// <param name="Version">1 for a new pin, then one higher per save.</param>
public sealed record ConversationPin(
    ConversationKey Key,
    string ModelAlias,
    string Provider,
    int Turns,
    IReadOnlyList<string> FallbackHistory,
    DateTimeOffset PinnedAt,
    DateTimeOffset LastUsed,
    DateTimeOffset ExpiresAt,
    long Version);
