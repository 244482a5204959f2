using System.Text.Json;

namespace Dispatcher.Providers.Anthropic;

/// <summary>
/// One pass over an Anthropic message that records where its parts are (byte ranges of raw JSON literals), so the
/// answer can be written in OpenAI's member order without unescaping or copying any text.
/// </summary>
internal static partial class AnthropicMapper
{
    private static bool Scan(ReadOnlySpan<byte> message, MessageScan scan)
    {
        var reader = new Utf8JsonReader(message, new JsonReaderOptions { MaxDepth = 64 });
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            return false;
        }

        var type = default(Range);
        (string? Type, string? Message)? error = null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("id"u8))
            {
                reader.Read();
                (scan.Id, scan.IdText) = reader.TokenType == JsonTokenType.String ? (StringLiteral(ref reader), reader.GetString()) : default;
                reader.Skip();
            }
            else if (reader.ValueTextEquals("model"u8))
            {
                reader.Read();
                (scan.Model, scan.ModelText) = reader.TokenType == JsonTokenType.String ? (StringLiteral(ref reader), reader.GetString()) : default;
                reader.Skip();
            }
            else if (reader.ValueTextEquals("type"u8))
            {
                reader.Read();
                type = reader.TokenType == JsonTokenType.String ? StringLiteral(ref reader) : default;
                reader.Skip();
            }
            else if (reader.ValueTextEquals("content"u8))
            {
                reader.Read();
                if (reader.TokenType != JsonTokenType.StartArray)
                {
                    return false;
                }

                scan.HasContent = true;
                ScanContent(ref reader, scan);
            }
            else if (reader.ValueTextEquals("stop_reason"u8))
            {
                reader.Read();
                scan.FinishReason = reader.TokenType == JsonTokenType.String ? AnthropicStopReasons.ToFinishReason(ref reader) : FinishReasons.Stop;
            }
            else if (reader.ValueTextEquals("usage"u8))
            {
                reader.Read();
                scan.Usage = AnthropicUsage.Read(ref reader);
            }
            else if (reader.ValueTextEquals("error"u8))
            {
                reader.Read();
                error = AnthropicErrors.ReadErrorObject(ref reader);
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }

        if (reader.TokenType != JsonTokenType.EndObject || reader.Read())
        {
            return false;
        }

        var typeText = message[type];
        if (error is { } e && typeText.SequenceEqual("\"error\""u8))
        {
            scan.Error = AnthropicErrors.InBand(e.Type, e.Message);
            return true;
        }

        return typeText.IsEmpty || typeText.SequenceEqual("\"message\""u8);
    }

    private static void ScanContent(ref Utf8JsonReader reader, MessageScan scan)
    {
        while (reader.Read() && reader.TokenType == JsonTokenType.StartObject)
        {
            var isText = false;
            var isToolUse = false;
            Range text = default, id = default, name = default, input = default;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var field = reader.ValueTextEquals("type"u8) ? 1 : reader.ValueTextEquals("text"u8) ? 2
                    : reader.ValueTextEquals("id"u8) ? 3 : reader.ValueTextEquals("name"u8) ? 4 : reader.ValueTextEquals("input"u8) ? 5 : 0;
                reader.Read();
                if (field == 1 && reader.TokenType == JsonTokenType.String)
                {
                    isText = reader.ValueTextEquals("text"u8);
                    isToolUse = reader.ValueTextEquals("tool_use"u8);
                }
                else if (field is 2 or 3 or 4 && reader.TokenType == JsonTokenType.String)
                {
                    var literal = StringLiteral(ref reader);
                    switch (field)
                    {
                        case 2: text = literal; break;
                        case 3: id = literal; break;
                        default: name = literal; break;
                    }
                }
                else if (field == 5)
                {
                    var start = (int)reader.TokenStartIndex;
                    reader.Skip();
                    input = start..(int)reader.BytesConsumed;
                }
                else
                {
                    reader.Skip();
                }
            }

            if (isText && text.End.Value - text.Start.Value > 2)
            {
                scan.Texts.Add(text);
                scan.HasText = true;
            }
            else if (isToolUse)
            {
                scan.Tools.Add((id, name, input));
            }
        }
    }

    /// <summary>The range of the string token at the reader, quotes included (the reader reads a span, not a sequence).</summary>
    private static Range StringLiteral(ref Utf8JsonReader reader)
    {
        var start = (int)reader.TokenStartIndex;
        return start..(start + reader.ValueSpan.Length + 2);
    }

    private sealed class MessageScan
    {
        public Range Id;
        public Range Model;
        public string? IdText;
        public string? ModelText;
        public bool HasContent;
        public bool HasText;
        public string? FinishReason;
        public AnthropicUsage Usage;
        public UpstreamFailure? Error;

        public List<Range> Texts { get; } = [];

        public List<(Range Id, Range Name, Range Input)> Tools { get; } = [];
    }
}
