using System.Text.Json;

namespace Dispatcher.Providers.Anthropic;

/// <summary>
/// Anthropic's <c>usage</c> object: the fields an event or answer reported (null when absent), normalized to
/// OpenAI's meaning. Anthropic's <c>input_tokens</c> excludes cached input, so the prompt is the sum of the three input
/// counts; cache reads are OpenAI's <c>cached_tokens</c>. Thinking is counted in <c>output_tokens</c>, not apart.
/// </summary>
internal readonly record struct AnthropicUsage(int? Input, int? Output, int? CacheRead, int? CacheCreation)
{
    /// <summary>Whether any count was reported.</summary>
    public bool Reported => Input.HasValue || Output.HasValue || CacheRead.HasValue || CacheCreation.HasValue;

    /// <summary>The counts in OpenAI's meaning.</summary>
    public TokenUsage ToTokenUsage()
    {
        var cacheRead = CacheRead ?? 0;
        return new TokenUsage((Input ?? 0) + cacheRead + (CacheCreation ?? 0), Output ?? 0, cacheRead, 0);
    }

    /// <summary>These counts, updated by those <paramref name="later"/> reported (message_delta counts are cumulative).</summary>
    public AnthropicUsage With(AnthropicUsage later) => new(
        later.Input ?? Input, later.Output ?? Output, later.CacheRead ?? CacheRead, later.CacheCreation ?? CacheCreation);

    /// <summary>Reads a usage object; the reader is on its start and ends on its end.</summary>
    public static AnthropicUsage Read(ref Utf8JsonReader reader)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            reader.Skip();
            return default;
        }

        int? input = null, output = null, cacheRead = null, cacheCreation = null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("input_tokens"u8))
            {
                input = ReadCount(ref reader);
            }
            else if (reader.ValueTextEquals("output_tokens"u8))
            {
                output = ReadCount(ref reader);
            }
            else if (reader.ValueTextEquals("cache_read_input_tokens"u8))
            {
                cacheRead = ReadCount(ref reader);
            }
            else if (reader.ValueTextEquals("cache_creation_input_tokens"u8))
            {
                cacheCreation = ReadCount(ref reader);
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }

        return new AnthropicUsage(input, output, cacheRead, cacheCreation);
    }

    /// <summary>Writes OpenAI's <c>usage</c> member.</summary>
    public static void Write(Utf8JsonWriter json, TokenUsage usage)
    {
        json.WriteStartObject("usage"u8);
        json.WriteNumber("prompt_tokens"u8, usage.PromptTokens);
        json.WriteNumber("completion_tokens"u8, usage.CompletionTokens);
        json.WriteNumber("total_tokens"u8, usage.TotalTokens);
        json.WriteStartObject("prompt_tokens_details"u8);
        json.WriteNumber("cached_tokens"u8, usage.CachedTokens);
        json.WriteEndObject();
        json.WriteEndObject();
    }

    /// <summary>A count, or null when it is null or not a non-negative integer.</summary>
    private static int? ReadCount(ref Utf8JsonReader reader)
    {
        reader.Read();
        if (reader.TokenType == JsonTokenType.Number && reader.TryGetInt32(out var value) && value >= 0)
        {
            return value;
        }

        reader.Skip();
        return null;
    }
}
