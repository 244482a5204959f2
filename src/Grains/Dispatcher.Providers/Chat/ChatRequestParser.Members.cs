using System.Text.Json;

namespace Dispatcher.Providers.Chat;

// The members whose shape routing depends on: models, messages, stream_options, response_format.
public static partial class ChatRequestParser
{
    private static ChatRequestError? ReadModels(ref Utf8JsonReader reader, ChatRequest request, int nameStart)
    {
        reader.Read();
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            return new ChatRequestError("'models' must be an array of model names.", "models");
        }

        var models = new List<string>(4);
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (reader.TokenType != JsonTokenType.String || reader.ValueSpan.IsEmpty || models.Count == 16)
            {
                return new ChatRequestError("'models' must be an array of at most 16 non-empty model names.", "models");
            }

            models.Add(reader.GetString()!);
        }

        if (models.Count == 0)
        {
            return new ChatRequestError("'models' must name at least one model.", "models");
        }

        request.Models = models;
        request.ModelsProperty = new JsonRange(nameStart, (int)reader.BytesConsumed);
        return null;
    }

    private static ChatRequestError? ReadMessages(ref Utf8JsonReader reader, ChatRequest request)
    {
        reader.Read();
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            return new ChatRequestError("'messages' must be an array.", "messages");
        }

        var depth = reader.CurrentDepth;
        var count = 0;
        var textBytes = 0;
        while (reader.Read() && !(reader.TokenType == JsonTokenType.EndArray && reader.CurrentDepth == depth))
        {
            if (reader.CurrentDepth == depth + 1 && reader.TokenType != JsonTokenType.EndObject)
            {
                if (reader.TokenType != JsonTokenType.StartObject)
                {
                    return new ChatRequestError($"'messages[{count}]' must be an object.", $"messages[{count}]");
                }

                count++;
            }
            else if (reader.TokenType == JsonTokenType.String)
            {
                textBytes += reader.ValueSpan.Length;
            }
            else if (reader.TokenType == JsonTokenType.PropertyName && reader.ValueTextEquals("image_url"u8))
            {
                request.HasImages = true;
            }
        }

        if (count == 0)
        {
            return new ChatRequestError("'messages' must contain at least one message.", "messages");
        }

        request.MessageTextBytes = textBytes;
        request.MessagesEnd = (int)reader.TokenStartIndex;
        return null;
    }

    private static ChatRequestError? ReadStreamOptions(ref Utf8JsonReader reader, ChatRequest request)
    {
        reader.Read();
        if (reader.TokenType == JsonTokenType.Null)
        {
            request.StreamOptionsNull = new JsonRange((int)reader.TokenStartIndex, (int)reader.BytesConsumed);
            return null;
        }

        if (reader.TokenType != JsonTokenType.StartObject)
        {
            return new ChatRequestError("'stream_options' must be an object.", "stream_options");
        }

        var start = (int)reader.TokenStartIndex;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var isIncludeUsage = reader.ValueTextEquals("include_usage"u8);
            reader.Read();
            if (isIncludeUsage)
            {
                if (reader.TokenType is not (JsonTokenType.True or JsonTokenType.False))
                {
                    return new ChatRequestError("'stream_options.include_usage' must be a boolean.", "stream_options.include_usage");
                }

                request.ClientWantsUsage = reader.TokenType == JsonTokenType.True;
                request.IncludeUsageValue = new JsonRange((int)reader.TokenStartIndex, (int)reader.BytesConsumed);
            }

            reader.Skip();
        }

        request.StreamOptionsValue = new JsonRange(start, (int)reader.BytesConsumed);
        return null;
    }

    private static ChatRequestError? ReadResponseFormat(ref Utf8JsonReader reader, ChatRequest request)
    {
        reader.Read();
        if (reader.TokenType == JsonTokenType.Null)
        {
            return null;
        }

        if (reader.TokenType != JsonTokenType.StartObject)
        {
            return new ChatRequestError("'response_format' must be an object.", "response_format");
        }

        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var isType = reader.ValueTextEquals("type"u8);
            var isJsonSchema = reader.ValueTextEquals("json_schema"u8);
            reader.Read();
            if (isType && reader.TokenType == JsonTokenType.String)
            {
                request.ResponseFormatType = reader.GetString();
            }
            else if (isJsonSchema && reader.TokenType == JsonTokenType.StartObject)
            {
                request.ResponseSchemaValue = ReadMemberValue(ref reader, "schema"u8);
                continue;
            }

            reader.Skip();
        }

        return null;
    }
}
