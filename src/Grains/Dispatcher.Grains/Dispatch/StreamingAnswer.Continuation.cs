using System.Buffers;
using System.Text;
using System.Text.Json;
using Dispatcher.Providers;
using Dispatcher.Providers.Chat;

namespace Dispatcher.Grains.Dispatch;

// Mid-stream continuation (route opt-in): the text streamed so far is kept; when the serving attempt breaks after the
// commit point (cut, stall, in-band error, timeout) and no tool-call delta was seen, the next candidate is asked to
// continue it and its chunks are spliced in under the first attempt's id and model, so the client reads one stream.
public sealed partial class StreamingAnswer
{
    private StreamContinuation? _continuation;
    private StringBuilder? _streamed;
    private bool _sawToolCall;
    private bool _rewrite;
    private ReadOnlyMemory<byte>? _rewritten;
    private ArrayBufferWriter<byte>? _rewriteBuffer;
    private Queue<byte[]>? _pending;
    private bool _finishedAfterPending;
    private List<string>? _servedModels;
    private List<ChatRequest>? _continuationRequests;
    private TokenUsage _earlierUsage;

    /// <summary>What the serving attempt's trail entry says when it completes (a repin).</summary>
    internal string? ServedDetail { get; set; }

    private int PendingChunks => _pending?.Count ?? 0;

    /// <summary>Turns continuation on for this stream: from now on its text is kept for a replay.</summary>
    internal void EnableContinuation(StreamContinuation continuation)
    {
        _continuation = continuation;
        _streamed = new StringBuilder();
        foreach (var chunk in SseData(_held.WrittenMemory))
        {
            Observe(chunk.Span, toolCalls: false);
        }
    }

    private void StartThroughputGuard()
    {
        if (Deployment.Options.Timeouts.MinTokensPerSecond is { } min)
        {
            _watchdog.StartThroughputGuard(min, Deployment.Options.Timeouts.ThroughputWindow);
        }
    }

    /// <summary>Serves the next spliced chunk held by a continuation's commit point, if any.</summary>
    private bool TryTakePending()
    {
        _rewritten = null;
        if (_pending is { Count: > 0 })
        {
            _rewritten = _pending.Dequeue();
            return true;
        }

        return false;
    }

    /// <summary>A continuation that ended right at its commit point has nothing more to read.</summary>
    private bool FinishedAfterPending => _finishedAfterPending && PendingChunks == 0;

    /// <summary>Keeps the chunk's text; after a switch, rewrites it under the first attempt's id and model.</summary>
    /// <returns>False when the chunk is not forwarded (the continuation's own role chunk).</returns>
    private bool Observe(ReadOnlySpan<byte> chunk, bool toolCalls)
    {
        if (_streamed is null || !ChunkContent.TryRead(chunk, out var text, out var finishReason, out var hasToolCalls))
        {
            return true;
        }

        _sawToolCall |= toolCalls || hasToolCalls;
        _streamed.Append(text);
        if (!_rewrite || hasToolCalls)
        {
            return true;
        }

        if (string.IsNullOrEmpty(text) && finishReason is null)
        {
            return false;
        }

        _rewriteBuffer ??= new ArrayBufferWriter<byte>(256);
        _rewriteBuffer.ResetWrittenCount();
        using (var json = new Utf8JsonWriter(_rewriteBuffer))
        {
            json.WriteStartObject();
            json.WriteString("id"u8, _trailer.ChunkId);
            json.WriteString("object"u8, "chat.completion.chunk"u8);
            json.WriteNumber("created"u8, _trailer.Created);
            json.WriteString("model"u8, _trailer.UpstreamModel);
            json.WriteStartArray("choices"u8);
            json.WriteStartObject();
            json.WriteNumber("index"u8, 0);
            json.WriteStartObject("delta"u8);
            if (!string.IsNullOrEmpty(text))
            {
                json.WriteString("content"u8, text);
            }

            json.WriteEndObject();
            json.WriteString("finish_reason"u8, finishReason);
            json.WriteEndObject();
            json.WriteEndArray();
            json.WriteEndObject();
        }

        _rewritten = _rewriteBuffer.WrittenMemory;
        return true;
    }

    /// <summary>Continues on the next candidate after the serving attempt broke with <paramref name="kind"/>.</summary>
    /// <returns>True when another model now serves the stream; false when the stream ends with the failure.</returns>
    private async ValueTask<bool> TryContinueAsync(FailureKind kind, UpstreamFailure? failure)
    {
        if (_continuation is null || _streamed is null || _sawToolCall
            || kind is FailureKind.None or FailureKind.Cancelled or FailureKind.ContentFiltered or FailureKind.InvalidRequest or FailureKind.ContextOverflow)
        {
            return false;
        }

        // The broken attempt is over: it goes in the trail now, with what it cost, and the stream is not complete yet.
        var failed = Deployment;
        var usage = _usage ?? default;
        failed.Provider.Report(_lease, kind, failure?.RetryAfter, default, usage.TotalTokens);
        if (DispatchEngine.BlamesDeployment(kind))
        {
            failed.Health.RecordFailure();
        }

        _trail.Add(new AttemptRecord(failed.Alias, failed.Provider.Name, _lease.Key.Id, kind, DispatchAction.Continue, failure?.StatusCode ?? 200,
            _time.GetElapsedTime(_startedAt).TotalMilliseconds, failed.Cost(usage),
            (failure?.Detail ?? "the stream failed after its first content was sent") + "; continued on the next candidate"));
        _earlierUsage = Sum(_earlierUsage, usage);
        _usage = null;
        _servedModels ??= [failed.Alias];

        var start = await _continuation.StartAsync(failed, _streamed.ToString(), _trail).ConfigureAwait(false);
        if (start is null)
        {
            // Nobody could continue: the stream ends with the first failure, already in the trail.
            _completed = true;
            EndKind = kind;
            return false;
        }

        _trail.Note("continuation", $"{failed.Alias}->{start.Candidate.Alias} after {_streamed.Length} characters ({kind.ToWireName()})");
        _servedModels.Add(start.Candidate.Alias);
        (_continuationRequests ??= []).Add(start.Request);
        var (brokenWatchdog, brokenSource) = (_watchdog, _source);
        (_watchdog, _source, _lease, Deployment, _startedAt, _usage, _request) =
            (start.Stream.Watchdog, start.Stream.Source, start.Lease, start.Candidate, start.StartedAt, start.Stream.Usage, start.Request);
        brokenWatchdog.Dispose();
        await brokenSource.DisposeAsync().ConfigureAwait(false);
        StartThroughputGuard();

        _rewrite = true;
        _pending ??= new Queue<byte[]>(2);
        foreach (var chunk in SseData(start.Stream.Held.WrittenMemory))
        {
            _rewritten = null;
            if (Observe(chunk.Span, toolCalls: false))
            {
                _pending.Enqueue((_rewritten ?? chunk).ToArray());
            }
        }

        _rewritten = null;
        start.Stream.Held.Dispose();
        _finishedAfterPending = start.Stream.Finished;
        return true;
    }

    private void DisposeContinuation()
    {
        if (_continuationRequests is null)
        {
            return;
        }

        foreach (var request in _continuationRequests)
        {
            request.Dispose();
        }
    }

    /// <summary>The JSON payloads of SSE-framed <c>data: {...}\n\n</c> events.</summary>
    private static List<ReadOnlyMemory<byte>> SseData(ReadOnlyMemory<byte> framed)
    {
        var events = new List<ReadOnlyMemory<byte>>(2);
        var rest = framed;
        while (rest.Length > 0)
        {
            var end = rest.Span.IndexOf("\n\n"u8);
            var line = end < 0 ? rest : rest[..end];
            if (line.Span.StartsWith("data: "u8))
            {
                events.Add(line[6..]);
            }

            rest = end < 0 ? ReadOnlyMemory<byte>.Empty : rest[(end + 2)..];
        }

        return events;
    }

    private static TokenUsage Sum(TokenUsage a, TokenUsage b) =>
        new(a.PromptTokens + b.PromptTokens, a.CompletionTokens + b.CompletionTokens, a.CachedTokens + b.CachedTokens, a.ReasoningTokens + b.ReasoningTokens);
}
