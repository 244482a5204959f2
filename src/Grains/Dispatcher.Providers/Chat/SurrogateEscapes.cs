namespace Dispatcher.Providers.Chat;

/// <summary>
/// Finds <c>\uD800</c>–<c>\uDFFF</c> escapes that do not form a pair. They are valid JSON grammar but no Unicode text,
/// and the body passes through to the upstream undecoded: one there would be the upstream's refusal or crash, seen
/// as the provider failing. Bodies without any <c>\u</c> (most) cost one vectorized search.
/// </summary>
internal static class SurrogateEscapes
{
    /// <summary>True when every surrogate escape in <paramref name="body"/> is a high one followed by a low one.</summary>
    public static bool ArePaired(ReadOnlySpan<byte> body)
    {
        var from = 0;
        int found;
        while ((found = body[from..].IndexOf("\\u"u8)) >= 0)
        {
            var at = from + found;
            from = at + 2;
            if (IsEscapedBackslash(body, at) || !TryReadUnit(body, at, out var unit))
            {
                // "\\u" is a backslash and a letter; a malformed escape is the JSON reader's to refuse.
                continue;
            }

            if (unit is >= 0xDC00 and <= 0xDFFF)
            {
                return false;
            }

            if (unit is >= 0xD800 and <= 0xDBFF)
            {
                if (!TryReadUnit(body, at + 6, out var low) || low is < 0xDC00 or > 0xDFFF)
                {
                    return false;
                }

                from = at + 12;
            }
        }

        return true;
    }

    private static bool IsEscapedBackslash(ReadOnlySpan<byte> body, int at)
    {
        var backslashes = 0;
        for (var i = at - 1; i >= 0 && body[i] == (byte)'\\'; i--)
        {
            backslashes++;
        }

        return backslashes % 2 == 1;
    }

    private static bool TryReadUnit(ReadOnlySpan<byte> body, int at, out int unit)
    {
        unit = 0;
        if (at + 6 > body.Length || body[at] != (byte)'\\' || body[at + 1] != (byte)'u')
        {
            return false;
        }

        for (var i = at + 2; i < at + 6; i++)
        {
            var digit = HexValue(body[i]);
            if (digit < 0)
            {
                return false;
            }

            unit = (unit << 4) | digit;
        }

        return true;
    }

    private static int HexValue(byte c) => c switch
    {
        >= (byte)'0' and <= (byte)'9' => c - '0',
        >= (byte)'a' and <= (byte)'f' => c - 'a' + 10,
        >= (byte)'A' and <= (byte)'F' => c - 'A' + 10,
        _ => -1,
    };
}
