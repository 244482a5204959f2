namespace Dispatcher.Providers.Gemini;

/// <summary>What a Gemini model's name says about the features its generation supports.</summary>
internal static class GeminiModelFamily
{
    private const string Prefix = "gemini-";

    /// <summary>
    /// The major version of <c>gemini-N…</c> (<c>models/</c> prefix allowed); null for an alias without a number
    /// (<c>gemini-flash-latest</c>) and for models outside the family (<c>gemma-3-27b-it</c>, tuned models).
    /// </summary>
    public static int? Major(string model, out bool isGemini)
    {
        var name = model.AsSpan();
        if (name.StartsWith("models/", StringComparison.Ordinal))
        {
            name = name["models/".Length..];
        }

        isGemini = name.StartsWith(Prefix, StringComparison.OrdinalIgnoreCase);
        if (!isGemini)
        {
            return null;
        }

        name = name[Prefix.Length..];
        var digits = 0;
        while (digits < name.Length && char.IsAsciiDigit(name[digits]))
        {
            digits++;
        }

        return digits > 0 && int.TryParse(name[..digits], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var major)
            ? major
            : null;
    }

    /// <summary>
    /// Gemini 3 and later refuse a replayed function call without its thought signature (HTTP 400). Signatures cannot
    /// survive the OpenAI format (tool call ids are capped at 40 characters), so replays carry Google's documented
    /// sentinel instead. Aliases are treated as current models; Gemini 1 and 2 and other families get nothing.
    /// </summary>
    public static bool NeedsThoughtSignatures(string model)
    {
        var major = Major(model, out var isGemini);
        return isGemini && (major is null || major >= 3);
    }
}
