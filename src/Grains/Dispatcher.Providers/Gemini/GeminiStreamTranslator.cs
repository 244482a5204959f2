using System.Text.Json;

namespace Dispatcher.Providers.Gemini;

/// <summary>
/// Turns the <c>GenerateContentResponse</c>s of one stream into chat.completion.chunk JSON, without I/O. Each event
/// becomes a content chunk (the first per candidate carrying the assistant role) and, when a candidate finishes, a
/// finish chunk; the end adds a usage-only chunk (<c>choices: []</c>) from the last usageMetadata seen.
/// </summary>
internal sealed class GeminiStreamTranslator : IDisposable
{
    private const int MaxCandidates = 128;

    private readonly PooledBuffer _chunks = new(2048);
    private readonly Queue<(int Start, int Length, ResponseFacts Facts)> _pending = new();
    private readonly List<CandidateState> _candidates = [];
    private readonly string _requestedModel;
    private readonly long _created;
    private string? _id;
    private string? _model;
    private TokenUsage? _usage;
    private bool _sawOutput;

    public GeminiStreamTranslator(string requestedModel, long created)
    {
        _requestedModel = requestedModel;
        _created = created;
    }

    /// <summary>Whether a candidate has finished: the end of the body is then a clean end, not a cut.</summary>
    public bool SawFinish { get; private set; }

    /// <summary>Forgets the chunks already handed out (their memory is reused).</summary>
    public void Clear()
    {
        if (_pending.Count == 0)
        {
            _chunks.Clear();
        }
    }

    /// <summary>Translates one event into pending chunks (none when it carries nothing to say).</summary>
    /// <returns>Null, or the failure the event means: an error object, a blocked prompt, a refusal before any output.</returns>
    public UpstreamFailure? Translate(GeminiAnswer answer)
    {
        if (answer.Error is not null)
        {
            return answer.Error;
        }

        if (answer.BlockReason is not null)
        {
            return UpstreamFailure.Of(FailureKind.ContentFiltered, "the upstream's safety filter blocked the prompt");
        }

        _id ??= GeminiMapper.CompletionId(answer.ResponseId);
        _model ??= answer.ModelVersion ?? _requestedModel;
        _usage = answer.Usage ?? _usage;
        var candidates = answer.Candidates.OrderBy(static c => c.Index).ToList();
        var hasOutput = candidates.Exists(static c => !string.IsNullOrEmpty(c.Text) || c.Calls.Count > 0);
        foreach (var candidate in candidates)
        {
            if (candidate.Index is < 0 or >= MaxCandidates)
            {
                return UpstreamFailure.Of(FailureKind.InvalidResponse, "the upstream sent a stream event for an impossible candidate");
            }

            // A filter that fires before anything was said is a refusal of the request, not an answer.
            if (GeminiMapper.IsFilter(candidate.FinishReason) && !_sawOutput && !hasOutput)
            {
                return UpstreamFailure.Of(FailureKind.ContentFiltered, "the upstream's safety filter withheld the answer");
            }
        }

        if (hasOutput)
        {
            WriteContentChunk(candidates);
        }

        if (candidates.Exists(static c => GeminiMapper.FinishReason(c.FinishReason, false) is not null))
        {
            WriteFinishChunk(candidates);
        }

        return null;
    }

    /// <summary>The end of the stream: queues the usage-only chunk when usage was reported.</summary>
    public void End()
    {
        if (_usage is not { } usage)
        {
            return;
        }

        var start = _chunks.Length;
        using (var json = StartChunk())
        {
            json.WriteEndArray();
            GeminiMapper.WriteUsage(json, usage);
            json.WriteEndObject();
        }

        _pending.Enqueue((start, _chunks.Length - start, new ResponseFacts { IsUsageOnly = true, Usage = usage, Model = _model, Id = _id }));
    }

    /// <summary>The next pending chunk; valid until <see cref="Clear"/>.</summary>
    public bool TryDequeue(out ReadOnlyMemory<byte> chunk, out ResponseFacts facts)
    {
        if (!_pending.TryDequeue(out var next))
        {
            chunk = default;
            facts = default;
            return false;
        }

        chunk = _chunks.WrittenMemory.Slice(next.Start, next.Length);
        facts = next.Facts;
        return true;
    }

    public void Dispose() => _chunks.Dispose();

    private void WriteContentChunk(List<GeminiCandidate> candidates)
    {
        var start = _chunks.Length;
        var hasToolCalls = false;
        using (var json = StartChunk())
        {
            foreach (var candidate in candidates)
            {
                if (string.IsNullOrEmpty(candidate.Text) && candidate.Calls.Count == 0)
                {
                    continue;
                }

                var state = State(candidate.Index);
                json.WriteStartObject();
                json.WriteNumber("index", candidate.Index);
                json.WriteStartObject("delta");
                WriteRole(json, state);
                if (!string.IsNullOrEmpty(candidate.Text))
                {
                    json.WriteString("content", candidate.Text);
                }

                if (candidate.Calls.Count > 0)
                {
                    json.WriteStartArray("tool_calls");
                    foreach (var call in candidate.Calls)
                    {
                        GeminiMapper.WriteToolCall(json, call, state.ToolCalls++);
                    }

                    json.WriteEndArray();
                    hasToolCalls = true;
                }

                json.WriteEndObject();
                json.WriteNull("logprobs");
                json.WriteNull("finish_reason");
                json.WriteEndObject();
            }

            EndChunk(json);
        }

        _sawOutput = true;
        _pending.Enqueue((start, _chunks.Length - start, new ResponseFacts { HasOutput = true, HasToolCalls = hasToolCalls, Model = _model, Id = _id }));
    }

    private void WriteFinishChunk(List<GeminiCandidate> candidates)
    {
        var start = _chunks.Length;
        string? first = null;
        using (var json = StartChunk())
        {
            foreach (var candidate in candidates)
            {
                var state = State(candidate.Index);
                if (GeminiMapper.FinishReason(candidate.FinishReason, state.ToolCalls > 0) is not { } finish)
                {
                    continue;
                }

                json.WriteStartObject();
                json.WriteNumber("index", candidate.Index);
                json.WriteStartObject("delta");
                WriteRole(json, state);
                json.WriteEndObject();
                json.WriteNull("logprobs");
                json.WriteString("finish_reason", finish);
                json.WriteEndObject();
                first ??= finish;
            }

            EndChunk(json);
        }

        SawFinish = true;
        _pending.Enqueue((start, _chunks.Length - start, new ResponseFacts { FinishReason = first, Model = _model, Id = _id }));
    }

    private Utf8JsonWriter StartChunk()
    {
        var json = new Utf8JsonWriter(_chunks, GeminiMapper.WriterOptions);
        json.WriteStartObject();
        GeminiMapper.WriteHeader(json, _id ??= GeminiMapper.CompletionId(null), "chat.completion.chunk", _created, _model ??= _requestedModel);
        json.WriteStartArray("choices");
        return json;
    }

    private static void EndChunk(Utf8JsonWriter json)
    {
        json.WriteEndArray();
        json.WriteEndObject();
    }

    private static void WriteRole(Utf8JsonWriter json, CandidateState state)
    {
        if (!state.RoleSent)
        {
            json.WriteString("role", "assistant");
            state.RoleSent = true;
        }
    }

    private CandidateState State(int index)
    {
        while (_candidates.Count <= index)
        {
            _candidates.Add(new CandidateState());
        }

        return _candidates[index];
    }

    private sealed class CandidateState
    {
        public bool RoleSent { get; set; }

        public int ToolCalls { get; set; }
    }
}
