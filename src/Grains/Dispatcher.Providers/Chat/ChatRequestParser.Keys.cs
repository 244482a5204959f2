using System.Text.Json;

namespace Dispatcher.Providers.Chat;

// Duplicate top-level keys: a body with two "model" members must not reach an upstream that reads the other one.
public static partial class ChatRequestParser
{
    private static bool IsDuplicate(ReadOnlySpan<byte> body, ReadOnlySpan<JsonRange> seen, JsonRange name, bool anyEscaped)
    {
        var candidate = body[name.Start..name.End];
        foreach (var range in seen)
        {
            if (body[range.Start..range.End].SequenceEqual(candidate))
            {
                return true;
            }
        }

        // An escaped name (\u006dodel) could duplicate a plain one; such bodies are rare enough to compare as strings.
        return anyEscaped && ContainsUnescaped(body, seen, candidate);
    }

    private static bool ContainsUnescaped(ReadOnlySpan<byte> body, ReadOnlySpan<JsonRange> seen, ReadOnlySpan<byte> escapedName)
    {
        var name = Unescape(escapedName);
        foreach (var range in seen)
        {
            if (string.Equals(Unescape(body[range.Start..range.End]), name, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }

    private static string Unescape(ReadOnlySpan<byte> rawName)
    {
        var quoted = new byte[rawName.Length + 2];
        quoted[0] = (byte)'"';
        quoted[^1] = (byte)'"';
        rawName.CopyTo(quoted.AsSpan(1));
        var reader = new Utf8JsonReader(quoted);
        reader.Read();
        return reader.GetString()!;
    }
}
