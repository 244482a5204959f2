using System.Buffers;
using System.Text.Json;

namespace Dispatcher.Providers.Anthropic;

/// <summary>An Anthropic message as OpenAI's chat.completion.</summary>
internal static partial class AnthropicMapper
{
    /// <summary>
    /// Translates <paramref name="message"/>: text blocks joined into <c>content</c> (null when there are none),
    /// tool_use blocks as <c>tool_calls</c> (arguments = the JSON text of the input), stop_reason as finish_reason,
    /// usage normalized (see <see cref="AnthropicUsage"/>). Thinking and server-tool blocks are not carried.
    /// An error object in the body is reported in <paramref name="facts"/>' <c>Error</c>, with nothing written.
    /// </summary>
    /// <returns>False when the body is not an Anthropic message or error.</returns>
    public static bool TryWriteCompletion(ReadOnlySpan<byte> message, long created, IBufferWriter<byte> output, out ResponseFacts facts)
    {
        facts = default;
        var scan = new MessageScan();
        try
        {
            if (!Scan(message, scan))
            {
                return false;
            }
        }
        catch (JsonException)
        {
            return false;
        }

        if (scan.Error is not null)
        {
            facts = new ResponseFacts { Error = scan.Error };
            return true;
        }

        if (!scan.HasContent)
        {
            return false;
        }

        using (var json = new Utf8JsonWriter(output, WriterOptions))
        {
            WriteCompletion(json, message, scan, created);
        }

        facts = new ResponseFacts
        {
            HasOutput = scan.HasText || scan.Tools.Count > 0,
            HasToolCalls = scan.Tools.Count > 0,
            Usage = scan.Usage.Reported ? scan.Usage.ToTokenUsage() : null,
            FinishReason = scan.FinishReason,
            Model = scan.ModelText,
            Id = scan.IdText,
        };
        return true;
    }

    private static void WriteCompletion(Utf8JsonWriter json, ReadOnlySpan<byte> message, MessageScan scan, long created)
    {
        json.WriteStartObject();
        OpenAiChunkWriter.WriteLiteral(json, "id"u8, message[scan.Id]);
        json.WriteString("object"u8, "chat.completion"u8);
        json.WriteNumber("created"u8, created);
        OpenAiChunkWriter.WriteLiteral(json, "model"u8, message[scan.Model]);
        json.WriteStartArray("choices"u8);
        json.WriteStartObject();
        json.WriteNumber("index"u8, 0);
        json.WriteStartObject("message"u8);
        json.WriteString("role"u8, "assistant"u8);
        json.WritePropertyName("content"u8);
        WriteJoinedText(json, message, scan.Texts);
        if (scan.Tools.Count > 0)
        {
            json.WriteStartArray("tool_calls"u8);
            foreach (var (id, name, input) in scan.Tools)
            {
                json.WriteStartObject();
                OpenAiChunkWriter.WriteLiteral(json, "id"u8, message[id]);
                json.WriteString("type"u8, "function"u8);
                json.WriteStartObject("function"u8);
                OpenAiChunkWriter.WriteLiteral(json, "name"u8, message[name]);
                json.WriteString("arguments"u8, input.End.Value > input.Start.Value ? message[input] : "{}"u8);
                json.WriteEndObject();
                json.WriteEndObject();
            }

            json.WriteEndArray();
        }

        json.WriteNull("refusal"u8);
        json.WriteEndObject();
        json.WriteNull("logprobs"u8);
        json.WriteString("finish_reason"u8, scan.FinishReason ?? FinishReasons.Stop);
        json.WriteEndObject();
        json.WriteEndArray();
        AnthropicUsage.Write(json, scan.Usage.ToTokenUsage());
        json.WriteEndObject();
    }

    /// <summary>Joins text blocks by concatenating their escaped bodies inside one pair of quotes: no unescaping.</summary>
    private static void WriteJoinedText(Utf8JsonWriter json, ReadOnlySpan<byte> message, List<Range> texts)
    {
        if (texts.Count == 0)
        {
            json.WriteNullValue();
            return;
        }

        if (texts.Count == 1)
        {
            json.WriteRawValue(message[texts[0]], skipInputValidation: true);
            return;
        }

        var length = 2;
        foreach (var text in texts)
        {
            length += text.End.Value - text.Start.Value - 2;
        }

        using var joined = new PooledBuffer(length);
        joined.Write("\""u8);
        foreach (var text in texts)
        {
            joined.Write(message[text][1..^1]);
        }

        joined.Write("\""u8);
        json.WriteRawValue(joined.WrittenSpan, skipInputValidation: true);
    }
}
