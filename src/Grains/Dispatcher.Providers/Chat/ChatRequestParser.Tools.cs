using System.Text.Json;

namespace Dispatcher.Providers.Chat;

// The output contracts a request declares: tools' parameter schemas and response_format's schema, captured as byte
// ranges of the body in the same pass, so that the contract guard compiles them without parsing the body again.
public static partial class ChatRequestParser
{
    private const int MaxTools = 128;

    private static ChatRequestError? ReadTools(ref Utf8JsonReader reader, ChatRequest request)
    {
        // On the '[' of tools.
        List<ToolSchema>? tools = null;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (reader.TokenType != JsonTokenType.StartObject)
            {
                reader.Skip();
                continue;
            }

            string? name = null;
            var parameters = JsonRange.None;
            var strict = false;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var isFunction = reader.ValueTextEquals("function"u8);
                reader.Read();
                if (isFunction && reader.TokenType == JsonTokenType.StartObject)
                {
                    (name, parameters, strict) = ReadFunction(ref reader);
                    continue;
                }

                reader.Skip();
            }

            if (name is not null && parameters.Exists)
            {
                tools ??= new List<ToolSchema>(2);
                if (tools.Count == MaxTools)
                {
                    return new ChatRequestError($"'tools' may declare at most {MaxTools} functions.", "tools");
                }

                tools.Add(new ToolSchema(name, request.Body[parameters.Start..parameters.End], strict));
            }
        }

        request.ToolSchemas = tools;
        return null;
    }

    private static (string? Name, JsonRange Parameters, bool Strict) ReadFunction(ref Utf8JsonReader reader)
    {
        // On the '{' of a tool's function object; leaves the reader on its '}'.
        string? name = null;
        var parameters = JsonRange.None;
        var strict = false;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var isName = reader.ValueTextEquals("name"u8);
            var isParameters = reader.ValueTextEquals("parameters"u8);
            var isStrict = reader.ValueTextEquals("strict"u8);
            reader.Read();
            if (isName && reader.TokenType == JsonTokenType.String)
            {
                name = reader.GetString();
            }
            else if (isStrict)
            {
                strict = reader.TokenType == JsonTokenType.True;
            }
            else if (isParameters && reader.TokenType is JsonTokenType.StartObject or JsonTokenType.True or JsonTokenType.False)
            {
                var start = (int)reader.TokenStartIndex;
                reader.Skip();
                parameters = new JsonRange(start, (int)reader.BytesConsumed);
                continue;
            }

            reader.Skip();
        }

        return (name, parameters, strict);
    }

    /// <summary>On the '{' of an object: the range of member <paramref name="name"/>'s value; leaves the reader on '}'.</summary>
    private static JsonRange ReadMemberValue(ref Utf8JsonReader reader, ReadOnlySpan<byte> name)
    {
        var range = JsonRange.None;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var wanted = reader.ValueTextEquals(name);
            reader.Read();
            var start = (int)reader.TokenStartIndex;
            reader.Skip();
            if (wanted)
            {
                range = new JsonRange(start, (int)reader.BytesConsumed);
            }
        }

        return range;
    }
}
