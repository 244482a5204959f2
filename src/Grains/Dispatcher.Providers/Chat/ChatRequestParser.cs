using System.Text.Json;

namespace Dispatcher.Providers.Chat;

/// <summary>
/// One pass over a chat completion body with <see cref="Utf8JsonReader"/>: validates what Dispatcher relies on,
/// collects what routing needs and the byte ranges that adapters splice. Nothing is deserialized.
/// </summary>
public static partial class ChatRequestParser
{
    private const int MaxTopLevelProperties = 128;
    private const int MaxChoices = 128;

    /// <summary>Parses <paramref name="length"/> bytes of a pooled buffer; the request takes ownership of it.</summary>
    /// <returns>The request, or null with <paramref name="error"/> set (the buffer is then returned to the pool).</returns>
    public static ChatRequest? Parse(byte[] pooled, int length, out ChatRequestError? error)
    {
        var request = new ChatRequest(pooled, length);
        try
        {
            error = Scan(request);
        }
        catch (JsonException)
        {
            error = new ChatRequestError("The request body is not valid JSON.", null);
        }
        catch (InvalidOperationException)
        {
            error = new ChatRequestError("The request body has a value of the wrong type.", null);
        }

        if (error is null)
        {
            return request;
        }

        request.Dispose();
        return null;
    }

    private static ChatRequestError? Scan(ChatRequest request)
    {
        var body = request.Body.Span;

        // Utf8JsonReader checks UTF-8 only in the strings it decodes, and most are skipped: without this, invalid bytes
        // would pass through to the upstream, whose refusal (or crash) would look like the provider's failure.
        if (!System.Text.Unicode.Utf8.IsValid(body))
        {
            return new ChatRequestError("The request body is not valid UTF-8.", null);
        }

        if (!SurrogateEscapes.ArePaired(body))
        {
            return new ChatRequestError("The request body has an unpaired UTF-16 surrogate escape (\\uD800-\\uDFFF).", null);
        }

        var reader = new Utf8JsonReader(body, new JsonReaderOptions { MaxDepth = 64 });
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            return new ChatRequestError("The request body must be a JSON object.", null);
        }

        request.ObjectStart = (int)reader.TokenStartIndex;
        Span<JsonRange> seenKeys = stackalloc JsonRange[MaxTopLevelProperties];
        var keyCount = 0;
        var sawEscapedKey = false;
        var sawMessages = false;

        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var nameStart = (int)reader.TokenStartIndex;
            var nameRange = new JsonRange(nameStart + 1, nameStart + 1 + reader.ValueSpan.Length);
            if (keyCount == MaxTopLevelProperties)
            {
                return new ChatRequestError("The request body has too many top-level fields.", null);
            }

            sawEscapedKey |= reader.ValueIsEscaped;
            if (IsDuplicate(body, seenKeys[..keyCount], nameRange, sawEscapedKey))
            {
                return new ChatRequestError($"Duplicate field '{reader.GetString()}' in the request body.", reader.GetString());
            }

            seenKeys[keyCount++] = nameRange;
            var error = ReadProperty(ref reader, request, nameStart, ref sawMessages);
            if (error is not null)
            {
                return error;
            }
        }

        if (reader.TokenType != JsonTokenType.EndObject)
        {
            return new ChatRequestError("The request body is not valid JSON.", null);
        }

        request.ObjectEnd = (int)reader.TokenStartIndex;
        if (reader.Read())
        {
            return new ChatRequestError("The request body has data after the JSON object.", null);
        }

        if (request.Model is null && request.Models is null)
        {
            return new ChatRequestError("You must provide a model parameter.", "model");
        }

        return sawMessages ? null : new ChatRequestError("Missing required parameter: 'messages'.", "messages");
    }

    private static ChatRequestError? ReadProperty(ref Utf8JsonReader reader, ChatRequest request, int nameStart, ref bool sawMessages)
    {
        if (reader.ValueTextEquals("model"u8))
        {
            reader.Read();
            if (reader.TokenType != JsonTokenType.String || reader.ValueSpan.IsEmpty)
            {
                return new ChatRequestError("'model' must be a non-empty string.", "model");
            }

            request.Model = reader.GetString();
            request.ModelValue = new JsonRange((int)reader.TokenStartIndex, (int)reader.BytesConsumed);
            return null;
        }

        if (reader.ValueTextEquals("models"u8))
        {
            return ReadModels(ref reader, request, nameStart);
        }

        if (reader.ValueTextEquals("messages"u8))
        {
            sawMessages = true;
            return ReadMessages(ref reader, request);
        }

        if (reader.ValueTextEquals("stream"u8))
        {
            reader.Read();
            if (reader.TokenType is not (JsonTokenType.True or JsonTokenType.False or JsonTokenType.Null))
            {
                return new ChatRequestError("'stream' must be a boolean.", "stream");
            }

            request.Stream = reader.TokenType == JsonTokenType.True;
            return null;
        }

        if (reader.ValueTextEquals("stream_options"u8))
        {
            return ReadStreamOptions(ref reader, request);
        }

        if (reader.ValueTextEquals("max_tokens"u8) || reader.ValueTextEquals("max_completion_tokens"u8))
        {
            var isCompletionTokens = reader.ValueTextEquals("max_completion_tokens"u8);
            var param = isCompletionTokens ? "max_completion_tokens" : "max_tokens";
            reader.Read();
            if (reader.TokenType == JsonTokenType.Null)
            {
                return null;
            }

            if (reader.TokenType != JsonTokenType.Number || !reader.TryGetInt32(out var max) || max < 1)
            {
                return new ChatRequestError($"'{param}' must be a positive integer.", param);
            }

            if (isCompletionTokens || request.MaxOutputTokens is null)
            {
                request.MaxOutputTokens = max;
            }

            return null;
        }

        if (reader.ValueTextEquals("n"u8))
        {
            reader.Read();
            if (reader.TokenType != JsonTokenType.Null
                && (reader.TokenType != JsonTokenType.Number || !reader.TryGetInt32(out var n) || n < 1 || n > MaxChoices))
            {
                return new ChatRequestError($"'n' must be an integer from 1 to {MaxChoices}.", "n");
            }

            request.Choices = reader.TokenType == JsonTokenType.Number ? reader.GetInt32() : 1;
            return null;
        }

        if (reader.ValueTextEquals("tools"u8))
        {
            reader.Read();
            if (reader.TokenType is not (JsonTokenType.StartArray or JsonTokenType.Null))
            {
                return new ChatRequestError("'tools' must be an array.", "tools");
            }

            request.HasTools = reader.TokenType == JsonTokenType.StartArray;
            return request.HasTools ? ReadTools(ref reader, request) : null;
        }

        if (reader.ValueTextEquals("response_format"u8))
        {
            return ReadResponseFormat(ref reader, request);
        }

        reader.Read();
        reader.Skip();
        return null;
    }

}
