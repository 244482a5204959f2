using System.Text.Encodings.Web;
using System.Text.Json;

namespace Dispatcher.FakeUpstream;

/// <summary>A text encoded once as a JSON string body (no quotes), whole and split into stream pieces, with its token count.</summary>
internal sealed class PreparedText
{
    private PreparedText(byte[] whole, byte[][] pieces, int tokens)
    {
        Whole = whole;
        Pieces = pieces;
        Tokens = tokens;
    }

    public byte[] Whole { get; }

    public IReadOnlyList<byte[]> Pieces { get; }

    /// <summary>Whitespace-separated words: the deterministic completion token count.</summary>
    public int Tokens { get; }

    public static byte[] Escape(string text) =>
        JsonEncodedText.Encode(text, JavaScriptEncoder.UnsafeRelaxedJsonEscaping).EncodedUtf8Bytes.ToArray();

    /// <summary>Splits <paramref name="text"/> into at most <paramref name="chunks"/> pieces of about equal length,
    /// never inside a surrogate pair; the pieces concatenate to the text.</summary>
    public static PreparedText Create(string text, int chunks)
    {
        var count = Math.Min(chunks, text.Length);
        var pieces = new List<byte[]>(count);
        var start = 0;
        for (var i = 1; i <= count; i++)
        {
            var end = (int)((long)i * text.Length / count);
            if (end < text.Length && char.IsLowSurrogate(text[end]))
            {
                end++;
            }

            if (end > start)
            {
                pieces.Add(Escape(text[start..end]));
                start = end;
            }
        }

        return new PreparedText(Escape(text), [.. pieces], CountWords(text));
    }

    private static int CountWords(string text)
    {
        var words = 0;
        var inWord = false;
        foreach (var c in text)
        {
            var isSpace = char.IsWhiteSpace(c);
            if (!isSpace && !inWord)
            {
                words++;
            }

            inWord = !isSpace;
        }

        return words;
    }
}
