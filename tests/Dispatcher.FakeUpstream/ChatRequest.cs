using System.Buffers;
using System.Text;
using System.Text.Json;

namespace Dispatcher.FakeUpstream;

/// <summary>The fields of a chat completion request the fake reads.</summary>
/// <remarks>PromptChars counts the characters of every message's text content.</remarks>
internal readonly record struct ChatRequest(string? Model, bool Stream, bool IncludeUsage, int PromptChars, int MessageCount)
{
    /// <summary>Deterministic prompt tokens: a quarter of the characters, rounded up, plus 3 per message.</summary>
    public int PromptTokens => ((PromptChars + 3) / 4) + (3 * MessageCount);

    /// <summary>Reads the body in one pass; false when it is not a single JSON object.</summary>
    public static bool TryParse(ReadOnlySequence<byte> body, out ChatRequest request)
    {
        request = default;
        try
        {
            var reader = new Utf8JsonReader(body);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return false;
            }

            string? model = null;
            bool stream = false, includeUsage = false;
            int chars = 0, messages = 0;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("model"u8))
                {
                    reader.Read();
                    model = reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
                    reader.Skip();
                }
                else if (reader.ValueTextEquals("stream"u8))
                {
                    reader.Read();
                    stream = reader.TokenType == JsonTokenType.True;
                    reader.Skip();
                }
                else if (reader.ValueTextEquals("stream_options"u8))
                {
                    reader.Read();
                    includeUsage = ReadIncludeUsage(ref reader);
                }
                else if (reader.ValueTextEquals("messages"u8))
                {
                    reader.Read();
                    (chars, messages) = ReadMessages(ref reader);
                }
                else
                {
                    reader.Read();
                    reader.Skip();
                }
            }

            // A second root value or trailing garbage makes the reader throw here.
            _ = reader.Read();
            request = new ChatRequest(model, stream, includeUsage, chars, messages);
            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private static bool ReadIncludeUsage(ref Utf8JsonReader reader)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            reader.Skip();
            return false;
        }

        var includeUsage = false;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var isIncludeUsage = reader.ValueTextEquals("include_usage"u8);
            reader.Read();
            if (isIncludeUsage)
            {
                includeUsage = reader.TokenType == JsonTokenType.True;
            }

            reader.Skip();
        }

        return includeUsage;
    }

    private static (int Chars, int Messages) ReadMessages(ref Utf8JsonReader reader)
    {
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            reader.Skip();
            return (0, 0);
        }

        int chars = 0, messages = 0;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (reader.TokenType != JsonTokenType.StartObject)
            {
                reader.Skip();
                continue;
            }

            messages++;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var isContent = reader.ValueTextEquals("content"u8);
                reader.Read();
                chars += isContent ? CountContent(ref reader) : SkipValue(ref reader);
            }
        }

        return (chars, messages);
    }

    /// <summary>Content is a string or an array of parts whose "text" fields count.</summary>
    private static int CountContent(ref Utf8JsonReader reader)
    {
        if (reader.TokenType == JsonTokenType.String)
        {
            return CountChars(ref reader);
        }

        if (reader.TokenType != JsonTokenType.StartArray)
        {
            return SkipValue(ref reader);
        }

        var chars = 0;
        var depth = reader.CurrentDepth;
        while (reader.Read() && reader.CurrentDepth > depth)
        {
            if (reader.TokenType == JsonTokenType.PropertyName && reader.ValueTextEquals("text"u8))
            {
                reader.Read();
                chars += reader.TokenType == JsonTokenType.String ? CountChars(ref reader) : SkipValue(ref reader);
            }
        }

        return chars;
    }

    private static int CountChars(ref Utf8JsonReader reader) =>
        reader.ValueIsEscaped || reader.HasValueSequence
            ? reader.GetString()!.Length
            : Encoding.UTF8.GetCharCount(reader.ValueSpan);

    private static int SkipValue(ref Utf8JsonReader reader)
    {
        reader.Skip();
        return 0;
    }
}
