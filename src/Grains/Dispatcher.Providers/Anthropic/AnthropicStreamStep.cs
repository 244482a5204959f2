namespace Dispatcher.Providers.Anthropic;

/// <summary>What one Anthropic stream event became.</summary>
internal enum AnthropicStreamStep
{
    /// <summary>An OpenAI chunk is ready.</summary>
    Chunk,

    /// <summary>Nothing to pass on (ping, content_block_stop, an empty delta, a block type OpenAI has no field for).</summary>
    Skip,

    /// <summary>message_stop: the answer is complete.</summary>
    Stop,

    /// <summary>An <c>error</c> event, classified.</summary>
    Error,

    /// <summary>The event is not valid JSON or breaks the event order.</summary>
    Malformed,
}
