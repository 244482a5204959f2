using System.Text.Json;

namespace Dispatcher.Providers.Anthropic;

/// <summary>
/// The top-level members of one Anthropic stream event, read in one pass in any order: the type's text (no quotes),
/// the block index, and the byte ranges of the nested objects, read afterwards once the type is known.
/// </summary>
internal readonly record struct StreamEventFields(Range Type, int Index, Range Message, Range ContentBlock, Range Delta, Range Usage, Range Error)
{
    /// <summary>Reads <paramref name="data"/>; null when it is not one JSON object. Throws <see cref="JsonException"/>
    /// on broken JSON.</summary>
    public static StreamEventFields? Read(ReadOnlySpan<byte> data)
    {
        var reader = new Utf8JsonReader(data, new JsonReaderOptions { MaxDepth = 64 });
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            return null;
        }

        Range type = default, message = default, block = default, delta = default, usage = default, error = default;
        var index = -1;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var field = reader.ValueTextEquals("type"u8) ? 1 : reader.ValueTextEquals("index"u8) ? 2
                : reader.ValueTextEquals("message"u8) ? 3 : reader.ValueTextEquals("content_block"u8) ? 4
                : reader.ValueTextEquals("delta"u8) ? 5 : reader.ValueTextEquals("usage"u8) ? 6
                : reader.ValueTextEquals("error"u8) ? 7 : 0;
            reader.Read();
            var start = (int)reader.TokenStartIndex;
            if (field == 1 && reader.TokenType == JsonTokenType.String)
            {
                type = (start + 1)..(start + 1 + reader.ValueSpan.Length);
                continue;
            }

            if (field == 2 && reader.TokenType == JsonTokenType.Number && reader.TryGetInt32(out var number))
            {
                index = number;
                continue;
            }

            reader.Skip();
            var value = reader.TokenType == JsonTokenType.EndObject ? start..(int)reader.BytesConsumed : default;
            switch (field)
            {
                case 3: message = value; break;
                case 4: block = value; break;
                case 5: delta = value; break;
                case 6: usage = value; break;
                case 7: error = value; break;
                default: break;
            }
        }

        if (reader.TokenType != JsonTokenType.EndObject || reader.Read())
        {
            return null;
        }

        return new StreamEventFields(type, index, message, block, delta, usage, error);
    }
}
