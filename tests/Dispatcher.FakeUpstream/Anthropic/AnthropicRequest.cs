using System.Buffers;
using System.Text;
using System.Text.Json;

namespace Dispatcher.FakeUpstream.Anthropic;

/// <summary>The fields of a Messages API request the fake reads, and the first rule of Anthropic's it breaks.</summary>
/// <remarks>PromptChars counts the system prompt and every text of every message.</remarks>
internal readonly record struct AnthropicRequest(string? Model, bool Stream, int PromptChars, int MessageCount, string? Problem)
{
    /// <summary>Deterministic input tokens, by the OpenAI fake's rule: a quarter of the characters, rounded up, plus 3 per message.</summary>
    public int PromptTokens => ((PromptChars + 3) / 4) + (3 * MessageCount);

    /// <summary>Reads the body in one pass; false when it is not a single JSON object.</summary>
    public static bool TryParse(ReadOnlySequence<byte> body, out AnthropicRequest request)
    {
        request = default;
        try
        {
            var reader = new Utf8JsonReader(body);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return false;
            }

            string? model = null, problem = null;
            bool stream = false, sawMaxTokens = false, sawMessages = false;
            int chars = 0, messages = 0;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var name = reader.GetString();
                reader.Read();
                switch (name)
                {
                    case "model":
                        model = reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
                        break;
                    case "stream":
                        stream = reader.TokenType == JsonTokenType.True;
                        break;
                    case "max_tokens":
                        sawMaxTokens = reader.TokenType == JsonTokenType.Number && reader.TryGetInt32(out var max) && max >= 1;
                        problem ??= sawMaxTokens ? null : "max_tokens: Input should be a valid integer greater than or equal to 1";
                        break;
                    case "system":
                        chars += CountText(ref reader);
                        break;
                    case "messages":
                        sawMessages = true;
                        problem ??= ReadMessages(ref reader, ref chars, ref messages);
                        break;
                    default:
                        break;
                }

                reader.Skip();
            }

            _ = reader.Read();
            problem ??= model is null ? "model: Field required"
                : !sawMaxTokens ? "max_tokens: Field required"
                : !sawMessages ? "messages: Field required"
                : messages == 0 ? "messages: at least one message is required"
                : null;
            request = new AnthropicRequest(model, stream, chars, messages, problem);
            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private static string? ReadMessages(ref Utf8JsonReader reader, ref int chars, ref int messages)
    {
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            return "messages: Input should be a valid list";
        }

        string? problem = null;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            var index = messages++;
            if (reader.TokenType != JsonTokenType.StartObject)
            {
                problem ??= $"messages.{index}: Input should be a valid dictionary";
                reader.Skip();
                continue;
            }

            string? role = null;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var name = reader.GetString();
                reader.Read();
                if (name == "role" && reader.TokenType == JsonTokenType.String)
                {
                    role = reader.GetString();
                }
                else if (name == "content")
                {
                    chars += CountText(ref reader);
                }

                reader.Skip();
            }

            problem ??= role switch
            {
                "user" or "assistant" => null,
                "system" => "messages: Unexpected role \"system\". The Messages API accepts a top-level `system` parameter, not \"system\" as an input message role.",
                _ => $"messages.{index}.role: Input should be 'user' or 'assistant'",
            };
        }

        return problem;
    }

    /// <summary>A string, or the "text" members anywhere inside an array of blocks; the reader stays on the value.</summary>
    private static int CountText(ref Utf8JsonReader reader)
    {
        if (reader.TokenType == JsonTokenType.String)
        {
            return Count(ref reader);
        }

        if (reader.TokenType != JsonTokenType.StartArray)
        {
            return 0;
        }

        var copy = reader;
        var chars = 0;
        var depth = copy.CurrentDepth;
        while (copy.Read() && copy.CurrentDepth > depth)
        {
            if (copy.TokenType == JsonTokenType.PropertyName && copy.ValueTextEquals("text"u8))
            {
                copy.Read();
                chars += copy.TokenType == JsonTokenType.String ? Count(ref copy) : 0;
            }
        }

        return chars;
    }

    private static int Count(ref Utf8JsonReader reader) =>
        reader.ValueIsEscaped || reader.HasValueSequence ? reader.GetString()!.Length : Encoding.UTF8.GetCharCount(reader.ValueSpan);
}
