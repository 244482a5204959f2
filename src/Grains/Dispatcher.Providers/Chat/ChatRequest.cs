namespace Dispatcher.Providers.Chat;

/// <summary>
/// A chat completion request as the client sent it: the raw body (kept for pass-through) plus what routing needs,
/// collected in one pass by <see cref="ChatRequestParser"/>. Owns a pooled buffer: dispose it when the request ends.
/// </summary>
public sealed class ChatRequest : IDisposable
{
    private byte[]? _pooled;

    internal ChatRequest(byte[] pooled, int length)
    {
        _pooled = pooled;
        Body = pooled.AsMemory(0, length);
    }

    /// <summary>The body exactly as received.</summary>
    public ReadOnlyMemory<byte> Body { get; }

    /// <summary>The body's <c>model</c>: a route or model alias. Null when only <c>models</c> was given.</summary>
    public string? Model { get; internal set; }

    /// <summary>The body's <c>models</c>: an explicit fallback chain for this request (OpenRouter's field).</summary>
    public IReadOnlyList<string>? Models { get; internal set; }

    /// <summary>Whether the client asked for a stream.</summary>
    public bool Stream { get; internal set; }

    /// <summary>Whether the client asked for the usage chunk (<c>stream_options.include_usage</c>).</summary>
    public bool ClientWantsUsage { get; internal set; }

    /// <summary><c>max_completion_tokens</c>, or else <c>max_tokens</c>.</summary>
    public int? MaxOutputTokens { get; internal set; }

    /// <summary><c>n</c>: how many choices the client asked for. Default 1.</summary>
    public int Choices { get; internal set; } = 1;

    /// <summary>Whether the request declares tools.</summary>
    public bool HasTools { get; internal set; }

    /// <summary>Whether a message carries an image part (<c>image_url</c>).</summary>
    public bool HasImages { get; internal set; }

    /// <summary><c>response_format.type</c> (text, json_object, json_schema), if given.</summary>
    public string? ResponseFormatType { get; internal set; }

    /// <summary>
    /// The raw JSON of <c>response_format.json_schema.schema</c> when <c>response_format.type</c> is
    /// <c>json_schema</c>: a slice of <see cref="Body"/>, empty when absent.
    /// </summary>
    public ReadOnlyMemory<byte> ResponseSchema => ResponseSchemaValue.Exists && string.Equals(ResponseFormatType, "json_schema", StringComparison.Ordinal)
        ? Body[ResponseSchemaValue.Start..ResponseSchemaValue.End]
        : ReadOnlyMemory<byte>.Empty;

    /// <summary>The declared function tools with a <c>parameters</c> schema, in order; null when none.</summary>
    public IReadOnlyList<ToolSchema>? ToolSchemas { get; internal set; }

    /// <summary>UTF-8 bytes of text inside <c>messages</c>: the input to the prompt token estimate.</summary>
    public int MessageTextBytes { get; internal set; }

    /// <summary>A conservative prompt token estimate (about four bytes of text per token, plus framing).</summary>
    public int EstimatedPromptTokens => (MessageTextBytes / 3) + 8;

    /// <summary>Offset of the <c>]</c> that closes <c>messages</c>: where a continuation or a repair turn is spliced in.</summary>
    internal int MessagesEnd { get; set; } = -1;

    internal JsonRange ModelValue { get; set; } = JsonRange.None;

    internal JsonRange ModelsProperty { get; set; } = JsonRange.None;

    internal JsonRange StreamOptionsValue { get; set; } = JsonRange.None;

    internal JsonRange IncludeUsageValue { get; set; } = JsonRange.None;

    internal JsonRange StreamOptionsNull { get; set; } = JsonRange.None;

    internal JsonRange ResponseSchemaValue { get; set; } = JsonRange.None;

    internal int ObjectStart { get; set; }

    internal int ObjectEnd { get; set; }

    /// <inheritdoc />
    public void Dispose()
    {
        var pooled = Interlocked.Exchange(ref _pooled, null);
        if (pooled is not null)
        {
            BytePool.Return(pooled);
        }
    }
}
