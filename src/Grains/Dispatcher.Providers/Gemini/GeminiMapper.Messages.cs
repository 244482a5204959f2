using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Dispatcher.Providers.Gemini;

/// <content>OpenAI <c>messages</c> to Gemini <c>systemInstruction</c> and <c>contents</c>.</content>
internal static partial class GeminiMapper
{
    /// <summary>
    /// Reads the messages: system and developer text goes to <paramref name="system"/> (Gemini has no system turn, so
    /// its position in the conversation is lost), user and tool messages become <c>user</c> contents, assistant
    /// messages <c>model</c> contents; consecutive contents of one role are merged, as Gemini expects parallel
    /// function responses in one content.
    /// </summary>
    private static UpstreamFailure? ReadMessages(JsonElement messages, List<GeminiPart> system, List<GeminiContent> contents)
    {
        // A tool message names its call only by id: the name comes from the latest assistant call with that id.
        var callNames = new Dictionary<string, string>(StringComparer.Ordinal);
        var index = 0;
        foreach (var message in messages.EnumerateArray())
        {
            var at = string.Create(CultureInfo.InvariantCulture, $"messages[{index++}]");
            if (message.ValueKind != JsonValueKind.Object)
            {
                return Invalid($"'{at}' must be an object");
            }

            var parts = new List<GeminiPart>();
            UpstreamFailure? failure;
            string role;
            switch (Text(message, "role"))
            {
                case "system" or "developer":
                    failure = ReadText(message, at, system);
                    role = string.Empty;
                    break;
                case "user":
                    failure = ReadUserParts(message, at, parts);
                    role = "user";
                    break;
                case "assistant":
                    failure = ReadAssistantParts(message, at, parts, callNames);
                    role = "model";
                    break;
                case "tool":
                    failure = ReadToolResult(message, at, parts, callNames);
                    role = "user";
                    break;
                case "function":
                    failure = ReadFunctionResult(message, at, parts);
                    role = "user";
                    break;
                default:
                    return Invalid($"'{at}.role' must be system, developer, user, assistant or tool");
            }

            if (failure is not null)
            {
                return failure;
            }

            Append(contents, role, parts);
        }

        return null;
    }

    private static void Append(List<GeminiContent> contents, string role, List<GeminiPart> parts)
    {
        if (parts.Count == 0)
        {
            return;
        }

        if (contents.Count == 0 || contents[^1].Role != role)
        {
            contents.Add(new GeminiContent(role));
        }

        contents[^1].Parts.AddRange(parts);
    }

    /// <summary>Text-only content (system, developer): a string or an array of text parts.</summary>
    private static UpstreamFailure? ReadText(JsonElement message, string at, List<GeminiPart> parts)
    {
        if (!message.TryGetProperty("content", out var content) || content.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (content.ValueKind == JsonValueKind.String)
        {
            AddText(parts, content.GetString());
            return null;
        }

        if (content.ValueKind != JsonValueKind.Array)
        {
            return Invalid($"'{at}.content' must be a string or an array of parts");
        }

        foreach (var part in content.EnumerateArray())
        {
            if (part.ValueKind != JsonValueKind.Object || Text(part, "type") is not ("text" or "refusal"))
            {
                return Invalid($"'{at}.content' may only have text parts");
            }

            AddText(parts, Text(part, "text") ?? Text(part, "refusal"));
        }

        return null;
    }

    private static UpstreamFailure? ReadUserParts(JsonElement message, string at, List<GeminiPart> parts)
    {
        if (!message.TryGetProperty("content", out var content) || content.ValueKind is JsonValueKind.String or JsonValueKind.Null)
        {
            AddText(parts, content.ValueKind == JsonValueKind.String ? content.GetString() : null);
            return null;
        }

        if (content.ValueKind != JsonValueKind.Array)
        {
            return Invalid($"'{at}.content' must be a string or an array of parts");
        }

        foreach (var part in content.EnumerateArray())
        {
            var failure = part.ValueKind == JsonValueKind.Object
                ? ReadUserPart(part, at, parts)
                : Invalid($"'{at}.content' parts must be objects");
            if (failure is not null)
            {
                return failure;
            }
        }

        return null;
    }

    private static UpstreamFailure? ReadUserPart(JsonElement part, string at, List<GeminiPart> parts)
    {
        switch (Text(part, "type"))
        {
            case "text":
                AddText(parts, Text(part, "text"));
                return null;
            case "image_url":
                var image = part.TryGetProperty("image_url", out var imageUrl) && imageUrl.ValueKind == JsonValueKind.Object
                    ? Text(imageUrl, "url")
                    : Text(part, "image_url");
                return image is null ? Invalid($"'{at}' has an image part without a url") : AddMedia(parts, image, at);
            case "input_audio":
                if (!part.TryGetProperty("input_audio", out var audio) || audio.ValueKind != JsonValueKind.Object
                    || Text(audio, "data") is not { } data)
                {
                    return Invalid($"'{at}' has an audio part without data");
                }

                parts.Add(new GeminiPart(GeminiPartKind.InlineData, "audio/" + (Text(audio, "format") ?? "wav"), data));
                return null;
            case "file":
                if (part.TryGetProperty("file", out var file) && file.ValueKind == JsonValueKind.Object && Text(file, "file_data") is { } fileData)
                {
                    return AddMedia(parts, fileData, at);
                }

                return UpstreamFailure.Of(FailureKind.CapabilityMismatch, "Gemini cannot read files uploaded to another provider (file_id)");
            default:
                return UpstreamFailure.Of(FailureKind.CapabilityMismatch, $"'{at}' has a content part type Gemini cannot take");
        }
    }

    /// <summary>A data: URL becomes inline data; an http(s) or gs:// URL a file reference Gemini fetches itself.</summary>
    private static UpstreamFailure? AddMedia(List<GeminiPart> parts, string url, string at)
    {
        if (url.StartsWith("data:", StringComparison.OrdinalIgnoreCase))
        {
            var comma = url.IndexOf(',', StringComparison.Ordinal);
            var header = comma < 0 ? string.Empty : url[5..comma];
            if (!header.EndsWith(";base64", StringComparison.OrdinalIgnoreCase))
            {
                return Invalid($"'{at}' has a data URL that is not base64");
            }

            var mime = header[..header.IndexOf(';', StringComparison.Ordinal)];
            parts.Add(new GeminiPart(GeminiPartKind.InlineData, mime.Length == 0 ? "application/octet-stream" : mime, url[(comma + 1)..]));
            return null;
        }

        if (url.StartsWith("https://", StringComparison.OrdinalIgnoreCase) || url.StartsWith("http://", StringComparison.OrdinalIgnoreCase)
            || url.StartsWith("gs://", StringComparison.OrdinalIgnoreCase))
        {
            parts.Add(new GeminiPart(GeminiPartKind.FileData, url, MimeFromExtension(url)));
            return null;
        }

        return Invalid($"'{at}' has a media URL that is neither data: nor http(s)");
    }

    private static string? MimeFromExtension(string url)
    {
        var path = url.AsSpan();
        var end = path.IndexOfAny('?', '#');
        path = end < 0 ? path : path[..end];
        var dot = path.LastIndexOf('.');
        var extension = dot < 0 || path[dot..].Contains('/') ? string.Empty : path[(dot + 1)..].ToString().ToLowerInvariant();
        return extension switch
        {
            "png" => "image/png",
            "jpg" or "jpeg" => "image/jpeg",
            "webp" => "image/webp",
            "gif" => "image/gif",
            "heic" => "image/heic",
            "heif" => "image/heif",
            "pdf" => "application/pdf",
            _ => null,
        };
    }

    private static UpstreamFailure? ReadAssistantParts(JsonElement message, string at, List<GeminiPart> parts, Dictionary<string, string> callNames)
    {
        var failure = ReadText(message, at, parts);
        if (failure is not null)
        {
            return failure;
        }

        if (message.TryGetProperty("tool_calls", out var calls) && calls.ValueKind == JsonValueKind.Array)
        {
            foreach (var call in calls.EnumerateArray())
            {
                if (call.ValueKind != JsonValueKind.Object || !call.TryGetProperty("function", out var function)
                    || function.ValueKind != JsonValueKind.Object || Text(function, "name") is not { } name)
                {
                    return Invalid($"'{at}.tool_calls' entries must name a function");
                }

                parts.Add(new GeminiPart(GeminiPartKind.FunctionCall, name, Text(function, "arguments")));
                if (Text(call, "id") is { } id)
                {
                    callNames[id] = name;
                }
            }
        }

        if (message.TryGetProperty("function_call", out var legacy) && legacy.ValueKind == JsonValueKind.Object && Text(legacy, "name") is { } legacyName)
        {
            parts.Add(new GeminiPart(GeminiPartKind.FunctionCall, legacyName, Text(legacy, "arguments")));
        }

        return null;
    }

    private static UpstreamFailure? ReadToolResult(JsonElement message, string at, List<GeminiPart> parts, Dictionary<string, string> callNames)
    {
        if (Text(message, "tool_call_id") is not { } id || !callNames.TryGetValue(id, out var name))
        {
            return Invalid($"'{at}.tool_call_id' does not match a tool call of an earlier assistant message");
        }

        return ReadResult(message, at, name, parts);
    }

    private static UpstreamFailure? ReadFunctionResult(JsonElement message, string at, List<GeminiPart> parts) =>
        Text(message, "name") is { } name ? ReadResult(message, at, name, parts) : Invalid($"'{at}.name' is required for a function message");

    private static UpstreamFailure? ReadResult(JsonElement message, string at, string name, List<GeminiPart> parts)
    {
        var texts = new List<GeminiPart>();
        var failure = ReadText(message, at, texts);
        if (failure is not null)
        {
            return failure;
        }

        var output = texts.Count == 1 ? texts[0].First : JoinTexts(texts);
        parts.Add(new GeminiPart(GeminiPartKind.FunctionResponse, name, output));
        return null;
    }

    private static string JoinTexts(List<GeminiPart> texts)
    {
        var builder = new StringBuilder();
        foreach (var text in texts)
        {
            builder.Append(text.First);
        }

        return builder.ToString();
    }

    /// <summary>Gemini refuses empty text parts.</summary>
    private static void AddText(List<GeminiPart> parts, string? text)
    {
        if (!string.IsNullOrEmpty(text))
        {
            parts.Add(new GeminiPart(GeminiPartKind.Text, text));
        }
    }

    private static UpstreamFailure Invalid(string detail) => UpstreamFailure.Of(FailureKind.InvalidRequest, "the request cannot be sent to Gemini: " + detail);

    private static string? Text(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
