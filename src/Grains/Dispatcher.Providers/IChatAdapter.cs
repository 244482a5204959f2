namespace Dispatcher.Providers;

/// <summary>
/// Speaks one upstream wire format. One instance per configured provider; no shared mutable state. Each call is one
/// attempt: the adapter never retries (retries are decisions of the dispatch policy) and decides the failure kind
/// of what it saw once, in its <c>{P}Errors</c> class.
/// </summary>
public interface IChatAdapter
{
    /// <summary>Sends a non-streaming attempt and reads the whole answer (OpenAI's chat.completion shape).</summary>
    Task<CompletionResult> CompleteAsync(UpstreamCall attempt, CancellationToken cancellationToken);

    /// <summary>
    /// Opens a streaming attempt: sends it and checks status and headers. On success the chunks are read from
    /// <see cref="StreamOpenResult.Source"/>, translated to OpenAI chat.completion.chunk JSON.
    /// </summary>
    Task<StreamOpenResult> OpenStreamAsync(UpstreamCall attempt, CancellationToken cancellationToken);

    /// <summary>
    /// Whether a request ending with an assistant message makes the upstream continue that message (Anthropic's
    /// prefill) rather than answer after it. Mid-stream continuation replays the partial answer that way when it can,
    /// and otherwise adds the route's continuation instruction. Default false.
    /// </summary>
    bool SupportsAssistantPrefill => false;
}
