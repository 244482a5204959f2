namespace Dispatcher.Providers;

/// <summary>What Dispatcher reads from an answer or a chunk: enough to commit, price and record it.</summary>
public readonly record struct ResponseFacts
{
    /// <summary>The chunk or answer has non-empty content, refusal or tool calls (the stream's commit point).</summary>
    public bool HasOutput { get; init; }

    /// <summary>The chunk carries a tool-call delta.</summary>
    public bool HasToolCalls { get; init; }

    /// <summary>The chunk has no choices: it only carries usage (OpenAI's last chunk with include_usage).</summary>
    public bool IsUsageOnly { get; init; }

    /// <summary>Usage, when the upstream reported it here.</summary>
    public TokenUsage? Usage { get; init; }

    /// <summary>The first choice's finish reason, when set.</summary>
    public string? FinishReason { get; init; }

    /// <summary>The <c>model</c> the upstream reported.</summary>
    public string? Model { get; init; }

    /// <summary>The <c>id</c> the upstream gave the answer (captured with <see cref="Model"/>).</summary>
    public string? Id { get; init; }

    /// <summary>An in-band error object, classified.</summary>
    public UpstreamFailure? Error { get; init; }
}
