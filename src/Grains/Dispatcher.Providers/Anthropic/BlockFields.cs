using System.Text.Json;

namespace Dispatcher.Providers.Anthropic;

/// <summary>
/// The members of a content block, a block delta or a message delta that the stream translation uses. Type is the
/// text without quotes; Text, Id, Name and PartialJson are raw JSON string literals (quotes included, escapes kept),
/// so they are copied into chunks without unescaping.
/// </summary>
internal readonly ref struct BlockFields
{
    public ReadOnlySpan<byte> Type { get; init; }

    public ReadOnlySpan<byte> Text { get; init; }

    public ReadOnlySpan<byte> Id { get; init; }

    public ReadOnlySpan<byte> Name { get; init; }

    public ReadOnlySpan<byte> PartialJson { get; init; }

    /// <summary>The stop_reason as an OpenAI finish reason; null when absent or null.</summary>
    public string? StopReason { get; init; }

    /// <summary>Reads an object's members in any order (an empty span reads as no members).</summary>
    public static BlockFields Read(ReadOnlySpan<byte> json)
    {
        if (json.IsEmpty)
        {
            return default;
        }

        var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = 64 });
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            return default;
        }

        ReadOnlySpan<byte> type = default, text = default, id = default, name = default, partial = default;
        string? stopReason = null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var field = reader.ValueTextEquals("type"u8) ? 1 : reader.ValueTextEquals("text"u8) ? 2
                : reader.ValueTextEquals("id"u8) ? 3 : reader.ValueTextEquals("name"u8) ? 4
                : reader.ValueTextEquals("partial_json"u8) ? 5 : reader.ValueTextEquals("stop_reason"u8) ? 6 : 0;
            reader.Read();
            if (reader.TokenType != JsonTokenType.String)
            {
                reader.Skip();
                continue;
            }

            var literal = json.Slice((int)reader.TokenStartIndex, reader.ValueSpan.Length + 2);
            switch (field)
            {
                case 1: type = reader.ValueSpan; break;
                case 2: text = literal; break;
                case 3: id = literal; break;
                case 4: name = literal; break;
                case 5: partial = literal; break;
                case 6: stopReason = AnthropicStopReasons.ToFinishReason(ref reader); break;
                default: break;
            }
        }

        return new BlockFields { Type = type, Text = text, Id = id, Name = name, PartialJson = partial, StopReason = stopReason };
    }
}
