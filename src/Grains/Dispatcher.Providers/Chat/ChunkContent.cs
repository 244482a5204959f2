using System.Text.Json;

namespace Dispatcher.Providers.Chat;

/// <summary>
/// Reads what mid-stream continuation needs from an OpenAI chat.completion.chunk: the first choice's text delta,
/// finish reason and whether it carries tool calls. Only streams of routes with continuation pay for this pass.
/// </summary>
public static class ChunkContent
{
    /// <summary>Reads <paramref name="chunk"/>; false when it is not a chunk object.</summary>
    public static bool TryRead(ReadOnlySpan<byte> chunk, out string? text, out string? finishReason, out bool toolCalls)
    {
        text = null;
        finishReason = null;
        toolCalls = false;
        var reader = new Utf8JsonReader(chunk);
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return false;
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var isChoices = reader.ValueTextEquals("choices"u8);
                reader.Read();
                if (!isChoices || reader.TokenType != JsonTokenType.StartArray)
                {
                    reader.Skip();
                    continue;
                }

                if (reader.Read() && reader.TokenType == JsonTokenType.StartObject)
                {
                    ReadChoice(ref reader, ref text, ref finishReason, ref toolCalls);
                }

                return true;
            }

            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private static void ReadChoice(ref Utf8JsonReader reader, ref string? text, ref string? finishReason, ref bool toolCalls)
    {
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("finish_reason"u8))
            {
                reader.Read();
                finishReason = reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
                continue;
            }

            var isDelta = reader.ValueTextEquals("delta"u8);
            reader.Read();
            if (!isDelta || reader.TokenType != JsonTokenType.StartObject)
            {
                reader.Skip();
                continue;
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var isContent = reader.ValueTextEquals("content"u8);
                var isTools = reader.ValueTextEquals("tool_calls"u8) || reader.ValueTextEquals("function_call"u8);
                reader.Read();
                if (isContent && reader.TokenType == JsonTokenType.String)
                {
                    text = reader.GetString();
                }
                else if (isTools && reader.TokenType is JsonTokenType.StartArray or JsonTokenType.StartObject)
                {
                    toolCalls = true;
                }

                reader.Skip();
            }
        }
    }
}
