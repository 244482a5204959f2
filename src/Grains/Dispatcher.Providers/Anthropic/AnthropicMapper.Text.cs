using System.Runtime.InteropServices;
using System.Text.Json;

namespace Dispatcher.Providers.Anthropic;

/// <summary>Reading texts, roles and tool arguments out of OpenAI messages.</summary>
internal static partial class AnthropicMapper
{
    /// <summary>The non-blank texts of a string content or of the text (and refusal) parts of a content array.</summary>
    private static IEnumerable<JsonElement> TextsOf(JsonElement content)
    {
        if (content.ValueKind == JsonValueKind.String)
        {
            if (!IsBlank(content))
            {
                yield return content;
            }

            yield break;
        }

        if (content.ValueKind != JsonValueKind.Array)
        {
            yield break;
        }

        foreach (var part in content.EnumerateArray())
        {
            if (part.ValueKind == JsonValueKind.Object
                && (part.TryGetProperty("text"u8, out var text) || part.TryGetProperty("refusal"u8, out text))
                && text.ValueKind == JsonValueKind.String && !IsBlank(text))
            {
                yield return text;
            }
        }
    }

    private static void WriteTextBlock(Utf8JsonWriter json, JsonElement text)
    {
        json.WriteStartObject();
        json.WriteString("type"u8, "text"u8);
        json.WritePropertyName("text"u8);
        text.WriteTo(json);
        json.WriteEndObject();
    }

    /// <summary>The arguments of a tool call as a JSON object (empty text is <c>{}</c>); null when they are not one.</summary>
    private static JsonDocument? ParseArguments(string arguments)
    {
        try
        {
            var document = JsonDocument.Parse(string.IsNullOrWhiteSpace(arguments) ? "{}" : arguments, DocumentOptions);
            if (document.RootElement.ValueKind == JsonValueKind.Object)
            {
                return document;
            }

            document.Dispose();
            return null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static bool IsRole(JsonElement message, ReadOnlySpan<byte> role, ReadOnlySpan<byte> alternative = default) =>
        message.TryGetProperty("role"u8, out var value) && value.ValueKind == JsonValueKind.String
        && (value.ValueEquals(role) || (!alternative.IsEmpty && value.ValueEquals(alternative)));

    /// <summary>
    /// True for an empty or whitespace-only string (Anthropic refuses such text blocks). Reads the raw bytes: the
    /// usual non-blank text is decided at its first character without copying it.
    /// </summary>
    private static bool IsBlank(JsonElement text)
    {
        var raw = JsonMarshal.GetRawUtf8Value(text);
        raw = raw.Length >= 2 ? raw[1..^1] : raw;
        for (var i = 0; i < raw.Length; i++)
        {
            switch (raw[i])
            {
                case (byte)' ':
                    continue;
                case (byte)'\\' when i + 1 < raw.Length && raw[i + 1] is (byte)'n' or (byte)'r' or (byte)'t':
                    i++;
                    continue;
                case (byte)'\\':
                    return string.IsNullOrWhiteSpace(text.GetString());
                default:
                    // Any other ASCII character is text; beyond ASCII, Unicode decides (U+3000 is a space too).
                    return raw[i] >= 0x80 && string.IsNullOrWhiteSpace(text.GetString());
            }
        }

        return true;
    }
}
