using System.Text.Json;

namespace Dispatcher.Providers.Anthropic;

/// <summary>
/// Writes OpenAI chat.completion.chunk JSON for one translated stream into one reused buffer: the id, created and model
/// that every chunk repeats, then one choice's delta, or the usage alone. Strings taken from the upstream are written
/// from their raw JSON literals, escapes kept.
/// </summary>
internal sealed class OpenAiChunkWriter : IDisposable
{
    private readonly long _created;
    private readonly PooledBuffer _chunk = new(1024);
    private readonly Utf8JsonWriter _json;
    private byte[]? _id;
    private byte[]? _model;

    public OpenAiChunkWriter(long created)
    {
        _created = created;
        _json = new Utf8JsonWriter(_chunk, AnthropicMapper.WriterOptions);
    }

    /// <summary>The chunk last written.</summary>
    public ReadOnlyMemory<byte> Chunk => _chunk.WrittenMemory;

    /// <summary>Whether the stream's id is known (message_start was seen).</summary>
    public bool Started => _id is not null;

    /// <summary>Sets what every chunk repeats, from raw literals (quotes included); a missing id becomes "".</summary>
    public void Start(byte[]? idLiteral, byte[]? modelLiteral)
    {
        _id = idLiteral ?? "\"\""u8.ToArray();
        _model = modelLiteral;
    }

    /// <summary>Starts a chunk with one choice and returns the writer positioned inside its <c>delta</c> object.</summary>
    public Utf8JsonWriter StartDelta()
    {
        StartChunk();
        _json.WriteStartArray("choices"u8);
        _json.WriteStartObject();
        _json.WriteNumber("index"u8, 0);
        _json.WriteStartObject("delta"u8);
        return _json;
    }

    /// <summary>Closes the delta, its choice (with <paramref name="finishReason"/>) and the chunk.</summary>
    public void EndDelta(string? finishReason)
    {
        _json.WriteEndObject();
        _json.WriteNull("logprobs"u8);
        if (finishReason is null)
        {
            _json.WriteNull("finish_reason"u8);
        }
        else
        {
            _json.WriteString("finish_reason"u8, finishReason);
        }

        _json.WriteEndObject();
        _json.WriteEndArray();
        _json.WriteEndObject();
        _json.Flush();
    }

    /// <summary>Writes the chunk OpenAI sends for <c>include_usage</c>: no choices, the usage of the whole answer.</summary>
    public void WriteUsageOnly(TokenUsage usage)
    {
        StartChunk();
        _json.WriteStartArray("choices"u8);
        _json.WriteEndArray();
        AnthropicUsage.Write(_json, usage);
        _json.WriteEndObject();
        _json.Flush();
    }

    /// <summary>Writes a string member from a raw literal (quotes included); an empty string when it is missing.</summary>
    public static void WriteLiteral(Utf8JsonWriter json, ReadOnlySpan<byte> name, ReadOnlySpan<byte> literal)
    {
        json.WritePropertyName(name);
        if (literal.Length < 2)
        {
            json.WriteStringValue(""u8);
        }
        else
        {
            json.WriteRawValue(literal, skipInputValidation: true);
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _json.Dispose();
        _chunk.Dispose();
    }

    private void StartChunk()
    {
        _chunk.Clear();
        _json.Reset(_chunk);
        _json.WriteStartObject();
        WriteLiteral(_json, "id"u8, _id);
        _json.WriteString("object"u8, "chat.completion.chunk"u8);
        _json.WriteNumber("created"u8, _created);
        WriteLiteral(_json, "model"u8, _model);
    }
}
