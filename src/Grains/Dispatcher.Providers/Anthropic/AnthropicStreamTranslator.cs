using System.Text.Json;

namespace Dispatcher.Providers.Anthropic;

/// <summary>
/// Turns Anthropic stream events into OpenAI chat.completion.chunk JSON, one event at a time: message_start → the
/// role chunk; text → content deltas; tool_use blocks → tool_calls deltas (id and name first, then the input JSON
/// as arguments, indexed per tool call); message_delta's stop_reason → the finish chunk; at message_stop, a
/// usage-only chunk (<c>choices: []</c>) with the normalized usage. Thinking deltas are not carried.
/// </summary>
internal sealed class AnthropicStreamTranslator : IDisposable
{
    private const int MaxBlocks = 4096;

    private readonly OpenAiChunkWriter _writer;
    private readonly List<int> _toolOfBlock = [];
    private int _tools;
    private AnthropicUsage _usage;

    public AnthropicStreamTranslator(long created) => _writer = new OpenAiChunkWriter(created);

    /// <summary>The chunk last written.</summary>
    public ReadOnlyMemory<byte> Chunk => _writer.Chunk;

    /// <summary>What the chunk last written says.</summary>
    public ResponseFacts Facts { get; private set; }

    /// <summary>The classified error after <see cref="AnthropicStreamStep.Error"/>.</summary>
    public UpstreamFailure? Error { get; private set; }

    /// <summary>Translates one event's data; <paramref name="eventName"/> is used when the data names no type.</summary>
    public AnthropicStreamStep Translate(ReadOnlySpan<byte> data, ReadOnlySpan<byte> eventName)
    {
        try
        {
            var fields = StreamEventFields.Read(data);
            if (fields is not { } e)
            {
                return AnthropicStreamStep.Malformed;
            }

            var type = e.Type.End.Value > 0 ? data[e.Type] : eventName;
            if (type.SequenceEqual("message_start"u8))
            {
                return OnMessageStart(data[e.Message]);
            }

            if (!_writer.Started && !type.SequenceEqual("ping"u8) && !type.SequenceEqual("error"u8))
            {
                return AnthropicStreamStep.Malformed;
            }

            return type switch
            {
                _ when type.SequenceEqual("content_block_start"u8) => OnBlockStart(e.Index, data[e.ContentBlock]),
                _ when type.SequenceEqual("content_block_delta"u8) => OnBlockDelta(e.Index, data[e.Delta]),
                _ when type.SequenceEqual("message_delta"u8) => OnMessageDelta(data[e.Delta], data[e.Usage]),
                _ when type.SequenceEqual("message_stop"u8) => AnthropicStreamStep.Stop,
                _ when type.SequenceEqual("error"u8) => OnError(data[e.Error]),
                _ when type.IsEmpty => AnthropicStreamStep.Malformed,
                _ => AnthropicStreamStep.Skip,
            };
        }
        catch (JsonException)
        {
            return AnthropicStreamStep.Malformed;
        }
    }

    /// <summary>Writes the usage-only chunk; false when the stream reported no usage at all.</summary>
    public bool WriteUsageChunk()
    {
        if (!_usage.Reported)
        {
            return false;
        }

        var usage = _usage.ToTokenUsage();
        _writer.WriteUsageOnly(usage);
        Facts = new ResponseFacts { IsUsageOnly = true, Usage = usage };
        return true;
    }

    /// <inheritdoc />
    public void Dispose() => _writer.Dispose();

    private AnthropicStreamStep OnMessageStart(ReadOnlySpan<byte> message)
    {
        var reader = new Utf8JsonReader(message);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            return AnthropicStreamStep.Malformed;
        }

        string? id = null, model = null;
        byte[]? idLiteral = null, modelLiteral = null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var field = reader.ValueTextEquals("id"u8) ? 1 : reader.ValueTextEquals("model"u8) ? 2 : reader.ValueTextEquals("usage"u8) ? 3 : 0;
            reader.Read();
            if (field is 1 or 2 && reader.TokenType == JsonTokenType.String)
            {
                var literal = message.Slice((int)reader.TokenStartIndex, reader.ValueSpan.Length + 2).ToArray();
                if (field == 1)
                {
                    (idLiteral, id) = (literal, reader.GetString());
                }
                else
                {
                    (modelLiteral, model) = (literal, reader.GetString());
                }
            }
            else if (field == 3)
            {
                _usage = _usage.With(AnthropicUsage.Read(ref reader));
            }
            else
            {
                reader.Skip();
            }
        }

        _writer.Start(idLiteral, modelLiteral);
        var json = _writer.StartDelta();
        json.WriteString("role"u8, "assistant"u8);
        json.WriteString("content"u8, ""u8);
        _writer.EndDelta(null);
        Facts = new ResponseFacts { Model = model, Id = id };
        return AnthropicStreamStep.Chunk;
    }

    private AnthropicStreamStep OnBlockStart(int index, ReadOnlySpan<byte> block)
    {
        if (index is < 0 or >= MaxBlocks)
        {
            return AnthropicStreamStep.Malformed;
        }

        while (_toolOfBlock.Count <= index)
        {
            _toolOfBlock.Add(-1);
        }

        var fields = BlockFields.Read(block);
        if (fields.Type.SequenceEqual("tool_use"u8))
        {
            var tool = _toolOfBlock[index] = _tools++;
            var json = _writer.StartDelta();
            json.WriteStartArray("tool_calls"u8);
            json.WriteStartObject();
            json.WriteNumber("index"u8, tool);
            OpenAiChunkWriter.WriteLiteral(json, "id"u8, fields.Id);
            json.WriteString("type"u8, "function"u8);
            json.WriteStartObject("function"u8);
            OpenAiChunkWriter.WriteLiteral(json, "name"u8, fields.Name);
            json.WriteString("arguments"u8, ""u8);
            json.WriteEndObject();
            json.WriteEndObject();
            json.WriteEndArray();
            _writer.EndDelta(null);
            Facts = new ResponseFacts { HasOutput = true, HasToolCalls = true };
            return AnthropicStreamStep.Chunk;
        }

        return fields.Type.SequenceEqual("text"u8) && fields.Text.Length > 2 ? WriteContent(fields.Text) : AnthropicStreamStep.Skip;
    }

    private AnthropicStreamStep OnBlockDelta(int index, ReadOnlySpan<byte> delta)
    {
        var fields = BlockFields.Read(delta);
        if (fields.Type.SequenceEqual("text_delta"u8))
        {
            return fields.Text.Length > 2 ? WriteContent(fields.Text) : AnthropicStreamStep.Skip;
        }

        if (!fields.Type.SequenceEqual("input_json_delta"u8))
        {
            return AnthropicStreamStep.Skip;
        }

        if (index < 0 || index >= _toolOfBlock.Count || _toolOfBlock[index] < 0)
        {
            return AnthropicStreamStep.Malformed;
        }

        if (fields.PartialJson.Length <= 2)
        {
            return AnthropicStreamStep.Skip;
        }

        var json = _writer.StartDelta();
        json.WriteStartArray("tool_calls"u8);
        json.WriteStartObject();
        json.WriteNumber("index"u8, _toolOfBlock[index]);
        json.WriteStartObject("function"u8);
        OpenAiChunkWriter.WriteLiteral(json, "arguments"u8, fields.PartialJson);
        json.WriteEndObject();
        json.WriteEndObject();
        json.WriteEndArray();
        _writer.EndDelta(null);
        Facts = new ResponseFacts { HasOutput = true, HasToolCalls = true };
        return AnthropicStreamStep.Chunk;
    }

    private AnthropicStreamStep OnMessageDelta(ReadOnlySpan<byte> delta, ReadOnlySpan<byte> usage)
    {
        if (!usage.IsEmpty)
        {
            var reader = new Utf8JsonReader(usage);
            reader.Read();
            _usage = _usage.With(AnthropicUsage.Read(ref reader));
        }

        var stopReason = BlockFields.Read(delta).StopReason;
        if (stopReason is null)
        {
            return AnthropicStreamStep.Skip;
        }

        _writer.StartDelta();
        _writer.EndDelta(stopReason);
        Facts = new ResponseFacts { FinishReason = stopReason };
        return AnthropicStreamStep.Chunk;
    }

    private AnthropicStreamStep OnError(ReadOnlySpan<byte> error)
    {
        var reader = new Utf8JsonReader(error);
        var (type, message) = reader.Read() ? AnthropicErrors.ReadErrorObject(ref reader) : default;
        Error = AnthropicErrors.InBand(type, message);
        return AnthropicStreamStep.Error;
    }

    private AnthropicStreamStep WriteContent(ReadOnlySpan<byte> textLiteral)
    {
        OpenAiChunkWriter.WriteLiteral(_writer.StartDelta(), "content"u8, textLiteral);
        _writer.EndDelta(null);
        Facts = new ResponseFacts { HasOutput = true };
        return AnthropicStreamStep.Chunk;
    }
}
