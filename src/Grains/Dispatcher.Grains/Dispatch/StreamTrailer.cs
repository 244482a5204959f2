using System.Buffers;
using System.Text.Json;
using Dispatcher.Grains.Routing;
using Dispatcher.Providers;

namespace Dispatcher.Grains.Dispatch;

/// <summary>
/// Writes the last event of a stream (SPEC.md): a chunk with empty choices carrying usage (when the client asked)
/// and the <c>dispatcher</c> object, then <c>[DONE]</c>; or, for a stream that failed after its commit point, an
/// OpenAI-shaped error event whose code is the failure kind, with the same <c>dispatcher</c> object.
/// </summary>
internal sealed class StreamTrailer
{
    private readonly string _requestId;
    private readonly bool _clientWantsUsage;
    private readonly string? _chunkId;
    private readonly string? _upstreamModel;
    private readonly long _created;

    public StreamTrailer(string requestId, bool clientWantsUsage, string? chunkId, string? upstreamModel, long created)
    {
        _requestId = requestId;
        _clientWantsUsage = clientWantsUsage;
        _chunkId = chunkId;
        _upstreamModel = upstreamModel;
        _created = created;
    }

    /// <summary>The stream's chunk id, which a continuation's chunks carry too.</summary>
    public string ChunkId => _chunkId ?? "chatcmpl-" + _requestId;

    /// <summary>The upstream model the client saw first, which a continuation's chunks carry too.</summary>
    public string? UpstreamModel => _upstreamModel;

    /// <summary>The chunks' <c>created</c>.</summary>
    public long Created => _created;

    public void Write(IBufferWriter<byte> output, DecisionTrail trail, ModelDeployment served, TokenUsage? usage, FailureKind endKind,
        IReadOnlyList<string>? servedModels = null)
    {
        output.Write("data: "u8);
        using (var json = new Utf8JsonWriter(output))
        {
            json.WriteStartObject();
            if (endKind == FailureKind.None)
            {
                json.WriteString("id", _chunkId ?? "chatcmpl-" + _requestId);
                json.WriteString("object", "chat.completion.chunk");
                json.WriteNumber("created", _created);
                json.WriteString("model", _upstreamModel ?? served.Upstream.Name);
                json.WriteStartArray("choices");
                json.WriteEndArray();
                if (_clientWantsUsage && usage is { } reported)
                {
                    json.WritePropertyName("usage");
                    WriteUsage(json, reported);
                }
            }
            else
            {
                json.WriteStartObject("error");
                json.WriteString("message", $"The stream from {served.Alias} failed after its first content was sent ({endKind.ToWireName()}); the answer is incomplete.");
                json.WriteString("type", "server_error");
                json.WriteNull("param");
                json.WriteString("code", endKind.ToWireName());
                json.WriteEndObject();
            }

            json.WritePropertyName("dispatcher");
            WriteDispatcher(json, trail, served, usage, endKind, servedModels);
            json.WriteEndObject();
        }

        output.Write(endKind == FailureKind.None ? "\n\ndata: [DONE]\n\n"u8 : "\n\n"u8);
    }

    private void WriteDispatcher(Utf8JsonWriter json, DecisionTrail trail, ModelDeployment served, TokenUsage? usage, FailureKind endKind,
        IReadOnlyList<string>? servedModels)
    {
        json.WriteStartObject();
        json.WriteString("request_id", _requestId);
        json.WriteString("model", served.Alias);
        json.WriteStartArray("models");
        if (servedModels is null)
        {
            json.WriteStringValue(served.Alias);
        }
        else
        {
            foreach (var alias in servedModels)
            {
                json.WriteStringValue(alias);
            }
        }

        json.WriteEndArray();
        json.WriteString("provider", served.Provider.Name);
        json.WriteNumber("attempts", trail.Count);
        json.WriteString("fallback_reasons", trail.FallbackReasons());
        if (usage is { } reported)
        {
            json.WritePropertyName("usage");
            WriteUsage(json, reported);
        }

        json.WriteNumber("cost_usd", trail.TotalCostUsd);
        json.WriteString("outcome", endKind == FailureKind.None ? "completed" : endKind.ToWireName());
        json.WriteEndObject();
    }

    private static void WriteUsage(Utf8JsonWriter json, TokenUsage usage)
    {
        json.WriteStartObject();
        json.WriteNumber("prompt_tokens", usage.PromptTokens);
        json.WriteNumber("completion_tokens", usage.CompletionTokens);
        json.WriteNumber("total_tokens", usage.TotalTokens);
        if (usage.CachedTokens > 0)
        {
            json.WriteStartObject("prompt_tokens_details");
            json.WriteNumber("cached_tokens", usage.CachedTokens);
            json.WriteEndObject();
        }

        if (usage.ReasoningTokens > 0)
        {
            json.WriteStartObject("completion_tokens_details");
            json.WriteNumber("reasoning_tokens", usage.ReasoningTokens);
            json.WriteEndObject();
        }

        json.WriteEndObject();
    }
}
