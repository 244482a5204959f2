using System.Text.Json;

namespace Dispatcher.Providers.Anthropic;

/// <summary>OpenAI messages as Anthropic turns and content blocks.</summary>
internal static partial class AnthropicMapper
{
    private static UpstreamFailure? WriteMessages(TurnWriter turns, JsonElement messages)
    {
        var last = -1;
        var index = 0;
        foreach (var message in messages.EnumerateArray())
        {
            if (message.ValueKind == JsonValueKind.Object && !IsRole(message, "system"u8, "developer"u8))
            {
                last = index;
            }

            index++;
        }

        turns.Json.WriteStartArray("messages"u8);
        index = 0;
        foreach (var message in messages.EnumerateArray())
        {
            var failure = message.ValueKind != JsonValueKind.Object ? Refused("a message is not an object")
                : IsRole(message, "system"u8, "developer"u8) ? null
                : IsRole(message, "user"u8) ? WriteUserMessage(turns, message)
                : IsRole(message, "assistant"u8) ? WriteAssistantMessage(turns, message, isFinal: index == last)
                : IsRole(message, "tool"u8) ? WriteToolMessage(turns, message)
                : IsRole(message, "function"u8) ? Unexpressible("legacy function messages")
                : Refused("a message has an unknown role");
            if (failure is not null)
            {
                return failure;
            }

            index++;
        }

        turns.End();
        turns.Json.WriteEndArray();
        return null;
    }

    private static UpstreamFailure? WriteUserMessage(TurnWriter turns, JsonElement message)
    {
        if (!message.TryGetProperty("content"u8, out var content) || content.ValueKind == JsonValueKind.String)
        {
            if (content.ValueKind == JsonValueKind.String && !IsBlank(content))
            {
                WriteTextBlock(turns.Begin(TurnWriter.User), content);
            }

            return null;
        }

        if (content.ValueKind != JsonValueKind.Array)
        {
            return content.ValueKind == JsonValueKind.Null ? null : Refused("a message's content is neither text nor parts");
        }

        foreach (var part in content.EnumerateArray())
        {
            var type = part.ValueKind == JsonValueKind.Object && part.TryGetProperty("type"u8, out var t) && t.ValueKind == JsonValueKind.String ? t : default;
            UpstreamFailure? failure = null;
            if (type.ValueKind == JsonValueKind.Undefined)
            {
                failure = Refused("a content part has no type");
            }
            else if (type.ValueEquals("text"u8))
            {
                if (part.TryGetProperty("text"u8, out var text) && text.ValueKind == JsonValueKind.String && !IsBlank(text))
                {
                    WriteTextBlock(turns.Begin(TurnWriter.User), text);
                }
            }
            else if (type.ValueEquals("image_url"u8))
            {
                failure = WriteImage(turns, part);
            }
            else if (type.ValueEquals("file"u8))
            {
                failure = WriteFile(turns, part);
            }
            else
            {
                failure = Unexpressible(type.ValueEquals("input_audio"u8) ? "audio input" : "a content part of an unknown type");
            }

            if (failure is not null)
            {
                return failure;
            }
        }

        return null;
    }

    private static UpstreamFailure? WriteAssistantMessage(TurnWriter turns, JsonElement message, bool isFinal)
    {
        if (message.TryGetProperty("content"u8, out var content))
        {
            if (content.ValueKind == JsonValueKind.String && isFinal)
            {
                // Anthropic refuses a final assistant turn (a prefill) that ends with whitespace.
                var text = content.GetString()!.TrimEnd();
                if (text.Length > 0)
                {
                    var json = turns.Begin(TurnWriter.Assistant);
                    json.WriteStartObject();
                    json.WriteString("type"u8, "text"u8);
                    json.WriteString("text"u8, text);
                    json.WriteEndObject();
                }
            }
            else
            {
                foreach (var text in TextsOf(content))
                {
                    WriteTextBlock(turns.Begin(TurnWriter.Assistant), text);
                }
            }
        }

        if (IsPresent(message, "function_call"u8))
        {
            return Unexpressible("legacy function calls");
        }

        if (!message.TryGetProperty("tool_calls"u8, out var calls) || calls.ValueKind != JsonValueKind.Array)
        {
            return null;
        }

        foreach (var call in calls.EnumerateArray())
        {
            if (WriteToolUse(turns, call) is { } failure)
            {
                return failure;
            }
        }

        return null;
    }

    private static UpstreamFailure? WriteToolUse(TurnWriter turns, JsonElement call)
    {
        if (call.ValueKind != JsonValueKind.Object
            || (call.TryGetProperty("type"u8, out var type) && type.ValueKind == JsonValueKind.String && !type.ValueEquals("function"u8)))
        {
            return Unexpressible("a tool call that is not a function call");
        }

        if (!call.TryGetProperty("id"u8, out var id) || id.ValueKind != JsonValueKind.String
            || !call.TryGetProperty("function"u8, out var function) || function.ValueKind != JsonValueKind.Object
            || !function.TryGetProperty("name"u8, out var name) || name.ValueKind != JsonValueKind.String)
        {
            return Refused("a tool call lacks its id or function name");
        }

        var arguments = function.TryGetProperty("arguments"u8, out var a) && a.ValueKind == JsonValueKind.String ? a.GetString()! : string.Empty;
        using var input = ParseArguments(arguments);
        if (input is null)
        {
            return Unexpressible("tool call arguments that are not a JSON object");
        }

        var json = turns.Begin(TurnWriter.Assistant);
        json.WriteStartObject();
        json.WriteString("type"u8, "tool_use"u8);
        json.WritePropertyName("id"u8);
        id.WriteTo(json);
        json.WritePropertyName("name"u8);
        name.WriteTo(json);
        json.WritePropertyName("input"u8);
        input.RootElement.WriteTo(json);
        json.WriteEndObject();
        turns.ToolNames.Add(name.GetString()!);
        return null;
    }

    private static UpstreamFailure? WriteToolMessage(TurnWriter turns, JsonElement message)
    {
        if (!message.TryGetProperty("tool_call_id"u8, out var id) || id.ValueKind != JsonValueKind.String)
        {
            return Refused("a tool message lacks its tool_call_id");
        }

        var json = turns.Begin(TurnWriter.User);
        json.WriteStartObject();
        json.WriteString("type"u8, "tool_result"u8);
        json.WritePropertyName("tool_use_id"u8);
        id.WriteTo(json);
        if (message.TryGetProperty("content"u8, out var content))
        {
            if (content.ValueKind == JsonValueKind.String)
            {
                if (!content.ValueEquals(""u8))
                {
                    json.WritePropertyName("content"u8);
                    content.WriteTo(json);
                }
            }
            else if (TextsOf(content).ToList() is { Count: > 0 } texts)
            {
                json.WriteStartArray("content"u8);
                foreach (var text in texts)
                {
                    WriteTextBlock(json, text);
                }

                json.WriteEndArray();
            }
        }

        json.WriteEndObject();
        return null;
    }
}
