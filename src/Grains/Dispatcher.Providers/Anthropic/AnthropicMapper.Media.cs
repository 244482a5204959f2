using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;

namespace Dispatcher.Providers.Anthropic;

/// <summary>Images and files: data URLs become base64 sources, http(s) image URLs become url sources.</summary>
internal static partial class AnthropicMapper
{
    private static UpstreamFailure? WriteImage(TurnWriter turns, JsonElement part)
    {
        var url = part.TryGetProperty("image_url"u8, out var image) ? image : default;
        if (url.ValueKind == JsonValueKind.Object && url.TryGetProperty("url"u8, out var inner))
        {
            url = inner;
        }

        if (url.ValueKind != JsonValueKind.String)
        {
            return Refused("an image part has no URL");
        }

        if (TrySplitDataUrl(url, out var mediaType, out var data))
        {
            WriteBase64Source(turns.Begin(TurnWriter.User), "image"u8, mediaType, data);
            return null;
        }

        if (!url.GetString()!.StartsWith("https://", StringComparison.OrdinalIgnoreCase)
            && !url.GetString()!.StartsWith("http://", StringComparison.OrdinalIgnoreCase))
        {
            return Unexpressible("an image URL that is neither http(s) nor a base64 data URL");
        }

        var json = turns.Begin(TurnWriter.User);
        json.WriteStartObject();
        json.WriteString("type"u8, "image"u8);
        json.WriteStartObject("source"u8);
        json.WriteString("type"u8, "url"u8);
        json.WritePropertyName("url"u8);
        url.WriteTo(json);
        json.WriteEndObject();
        json.WriteEndObject();
        return null;
    }

    private static UpstreamFailure? WriteFile(TurnWriter turns, JsonElement part)
    {
        if (!part.TryGetProperty("file"u8, out var file) || file.ValueKind != JsonValueKind.Object
            || !file.TryGetProperty("file_data"u8, out var fileData) || fileData.ValueKind != JsonValueKind.String)
        {
            return Unexpressible("a file reference (only inline file_data can be sent)");
        }

        if (!TrySplitDataUrl(fileData, out var mediaType, out var data) || !mediaType.SequenceEqual("application/pdf"u8))
        {
            return Unexpressible("a file other than a base64 PDF");
        }

        WriteBase64Source(turns.Begin(TurnWriter.User), "document"u8, mediaType, data);
        return null;
    }

    private static void WriteBase64Source(Utf8JsonWriter json, ReadOnlySpan<byte> blockType, ReadOnlySpan<byte> mediaType, ReadOnlySpan<byte> data)
    {
        json.WriteStartObject();
        json.WriteString("type"u8, blockType);
        json.WriteStartObject("source"u8);
        json.WriteString("type"u8, "base64"u8);
        json.WriteString("media_type"u8, mediaType);
        json.WriteString("data"u8, data);
        json.WriteEndObject();
        json.WriteEndObject();
    }

    /// <summary>
    /// Splits <c>data:&lt;media type&gt;;base64,&lt;data&gt;</c>. Reads the raw bytes when they hold no escape, so a
    /// megabyte image is not copied into a string first.
    /// </summary>
    private static bool TrySplitDataUrl(JsonElement url, out ReadOnlySpan<byte> mediaType, out ReadOnlySpan<byte> data)
    {
        mediaType = data = default;
        var raw = JsonMarshal.GetRawUtf8Value(url);
        raw = raw.Length >= 2 ? raw[1..^1] : raw;
        if (raw.Contains((byte)'\\'))
        {
            raw = Encoding.UTF8.GetBytes(url.GetString()!);
        }

        if (!raw.StartsWith("data:"u8))
        {
            return false;
        }

        var marker = raw.IndexOf(";base64,"u8);
        if (marker < 0)
        {
            return false;
        }

        mediaType = raw[5..marker];
        data = raw[(marker + 8)..];
        return !mediaType.IsEmpty;
    }
}
