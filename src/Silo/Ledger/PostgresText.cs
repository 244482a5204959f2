using System.Text;
using Dispatcher.Grains.Dispatch;

namespace Dispatcher.Silo.Ledger;

/// <summary>
/// PostgreSQL text and jsonb refuse NUL characters and unpaired surrogates, which a client can put into a model
/// name or an upstream into an error detail. Such characters become U+FFFD, so one odd request never fails the
/// batch it shares with others.
/// </summary>
internal static class PostgresText
{
    public static string Clean(string text) => IsStorable(text) ? text : Replace(text);

    public static string? CleanOrNull(string? text) => text is null ? null : Clean(text);

    public static IReadOnlyList<AttemptRecord> Clean(IReadOnlyList<AttemptRecord> attempts)
    {
        AttemptRecord[]? cleaned = null;
        for (var i = 0; i < attempts.Count; i++)
        {
            var attempt = attempts[i];
            if (IsStorable(attempt.Model) && IsStorable(attempt.Provider) && IsStorable(attempt.KeyId) && IsStorable(attempt.Detail))
            {
                continue;
            }

            if (cleaned is null)
            {
                cleaned = new AttemptRecord[attempts.Count];
                for (var j = 0; j < attempts.Count; j++)
                {
                    cleaned[j] = attempts[j];
                }
            }

            cleaned[i] = attempt with
            {
                Model = Clean(attempt.Model),
                Provider = Clean(attempt.Provider),
                KeyId = CleanOrNull(attempt.KeyId),
                Detail = CleanOrNull(attempt.Detail),
            };
        }

        return cleaned ?? attempts;
    }

    private static bool IsStorable(string? text) =>
        text is null || (!text.Contains('\0', StringComparison.Ordinal) && text.AsSpan().IndexOfAnyInRange('\uD800', '\uDFFF') < 0);

    private static string Replace(string text)
    {
        var builder = new StringBuilder(text.Length);
        var rest = text.AsSpan();
        while (!rest.IsEmpty)
        {
            // An invalid sequence decodes as U+FFFD and consumes one char.
            Rune.DecodeFromUtf16(rest, out var rune, out var consumed);
            builder.Append(rune.Value == 0 ? Rune.ReplacementChar.ToString() : rune.ToString());
            rest = rest[consumed..];
        }

        return builder.ToString();
    }
}
