using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Dispatcher.FakeUpstream.Gemini;

/// <summary>
/// The fields of a <c>GenerateContentRequest</c> the fake reads, checked the way Gemini checks them: an unknown field
/// (in the request, a content, a part or generationConfig), a role other than user/model, or a content without
/// parts gets the 400 INVALID_ARGUMENT Gemini would send, so a translation mistake fails here as it would there.
/// </summary>
/// <remarks>PromptChars counts the characters of every text part, system instruction included.</remarks>
internal readonly record struct GeminiRequest(int PromptChars, int ContentCount, bool HasTools)
{
    private static readonly HashSet<string> RequestFields = Fields(
        "contents", "tools", "toolConfig", "safetySettings", "systemInstruction", "generationConfig", "cachedContent");

    private static readonly HashSet<string> ContentFields = Fields("role", "parts");

    private static readonly HashSet<string> PartFields = Fields(
        "text", "inlineData", "fileData", "functionCall", "functionResponse", "thought", "thoughtSignature",
        "executableCode", "codeExecutionResult", "videoMetadata", "mediaResolution");

    private static readonly HashSet<string> GenerationFields = Fields(
        "stopSequences", "responseMimeType", "responseSchema", "responseJsonSchema", "responseModalities", "candidateCount",
        "maxOutputTokens", "temperature", "topP", "topK", "seed", "presencePenalty", "frequencyPenalty", "responseLogprobs",
        "logprobs", "enableEnhancedCivicAnswers", "speechConfig", "thinkingConfig", "mediaResolution");

    /// <summary>Deterministic prompt tokens: a quarter of the characters, rounded up, plus 3 per content.</summary>
    public int PromptTokens => ((PromptChars + 3) / 4) + (3 * ContentCount);

    /// <summary>Reads and checks the body; false with Gemini's error message when Gemini would refuse it.</summary>
    public static bool TryParse(ReadOnlySequence<byte> body, out GeminiRequest request, out string error)
    {
        request = default;
        error = string.Empty;
        try
        {
            var reader = new Utf8JsonReader(body);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                error = "Invalid JSON payload received. Expected an object.";
                return false;
            }

            int chars = 0, contents = 0;
            bool sawContents = false, tools = false;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var name = reader.GetString()!;
                reader.Read();
                if (!RequestFields.Contains(name))
                {
                    error = $"Invalid JSON payload received. Unknown name \"{name}\": Cannot find field.";
                    return false;
                }

                switch (Canonical(name))
                {
                    case "contents":
                        sawContents = true;
                        if (!ReadContents(ref reader, ref chars, ref contents, out error))
                        {
                            return false;
                        }

                        break;
                    case "systemInstruction":
                        var ignored = 0;
                        if (!ReadContent(ref reader, "system_instruction", ref chars, ref ignored, out error))
                        {
                            return false;
                        }

                        break;
                    case "generationConfig":
                        if (!CheckFields(ref reader, GenerationFields, "generation_config", out error))
                        {
                            return false;
                        }

                        break;
                    case "tools":
                        tools = reader.TokenType == JsonTokenType.StartArray;
                        reader.Skip();
                        break;
                    default:
                        reader.Skip();
                        break;
                }
            }

            _ = reader.Read();
            if (!sawContents || contents == 0)
            {
                error = "* GenerateContentRequest.contents: contents is not specified\n";
                return false;
            }

            request = new GeminiRequest(chars, contents, tools);
            return true;
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException)
        {
            error = "Invalid JSON payload received. Unexpected token.";
            return false;
        }
    }

    private static bool ReadContents(ref Utf8JsonReader reader, ref int chars, ref int contents, out string error)
    {
        error = string.Empty;
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            error = "Invalid JSON payload received. Unknown name \"contents\": Proto field is not repeating, cannot start list.";
            return false;
        }

        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            var at = string.Create(CultureInfo.InvariantCulture, $"contents[{contents}]");
            if (!ReadContent(ref reader, at, ref chars, ref contents, out error))
            {
                return false;
            }
        }

        return true;
    }

    private static bool ReadContent(ref Utf8JsonReader reader, string at, ref int chars, ref int contents, out string error)
    {
        error = string.Empty;
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            error = $"Invalid JSON payload received. Expected an object at '{at}'.";
            return false;
        }

        contents++;
        var parts = 0;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var name = reader.GetString()!;
            reader.Read();
            if (!ContentFields.Contains(name))
            {
                error = $"Invalid JSON payload received. Unknown name \"{name}\" at '{at}': Cannot find field.";
                return false;
            }

            if (name == "role")
            {
                if (reader.GetString() is not ("user" or "model"))
                {
                    error = "Please use a valid role: user, model.";
                    return false;
                }

                continue;
            }

            if (reader.TokenType != JsonTokenType.StartArray)
            {
                error = $"Invalid JSON payload received. Expected a list at '{at}.parts'.";
                return false;
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.StartObject)
            {
                parts++;
                if (!ReadPart(ref reader, at, ref chars, out error))
                {
                    return false;
                }
            }
        }

        if (parts == 0)
        {
            error = $"* GenerateContentRequest.{at}.parts: contents.parts must not be empty.\n";
            return false;
        }

        return true;
    }

    private static bool ReadPart(ref Utf8JsonReader reader, string at, ref int chars, out string error)
    {
        error = string.Empty;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var name = reader.GetString()!;
            reader.Read();
            if (!PartFields.Contains(name))
            {
                error = $"Invalid JSON payload received. Unknown name \"{name}\" at '{at}.parts[0]': Cannot find field.";
                return false;
            }

            if (name == "text" && reader.TokenType == JsonTokenType.String)
            {
                chars += reader.ValueIsEscaped || reader.HasValueSequence ? reader.GetString()!.Length : Encoding.UTF8.GetCharCount(reader.ValueSpan);
            }
            else
            {
                reader.Skip();
            }
        }

        return true;
    }

    private static bool CheckFields(ref Utf8JsonReader reader, HashSet<string> allowed, string at, out string error)
    {
        error = string.Empty;
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            error = $"Invalid JSON payload received. Expected an object at '{at}'.";
            return false;
        }

        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var name = reader.GetString()!;
            reader.Read();
            if (!allowed.Contains(name))
            {
                error = $"Invalid JSON payload received. Unknown name \"{name}\" at '{at}': Cannot find field.";
                return false;
            }

            reader.Skip();
        }

        return true;
    }

    /// <summary>Gemini accepts each field in lowerCamelCase and in proto's snake_case.</summary>
    private static HashSet<string> Fields(params string[] names)
    {
        var set = new HashSet<string>(StringComparer.Ordinal);
        foreach (var name in names)
        {
            set.Add(name);
            set.Add(Snake(name));
        }

        return set;
    }

    private static string Canonical(string name)
    {
        if (!name.Contains('_', StringComparison.Ordinal))
        {
            return name;
        }

        var builder = new StringBuilder(name.Length);
        for (var i = 0; i < name.Length; i++)
        {
            if (name[i] == '_' && i + 1 < name.Length)
            {
                builder.Append(char.ToUpperInvariant(name[++i]));
            }
            else
            {
                builder.Append(name[i]);
            }
        }

        return builder.ToString();
    }

    private static string Snake(string name)
    {
        var builder = new StringBuilder(name.Length + 4);
        foreach (var c in name)
        {
            if (char.IsAsciiLetterUpper(c))
            {
                builder.Append('_').Append(char.ToLowerInvariant(c));
            }
            else
            {
                builder.Append(c);
            }
        }

        return builder.ToString();
    }
}
