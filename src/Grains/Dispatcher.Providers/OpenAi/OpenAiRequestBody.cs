using Dispatcher.Providers.Chat;

namespace Dispatcher.Providers.OpenAi;

/// <summary>
/// Writes the body sent to an OpenAI-compatible upstream by splicing the client's bytes: <c>model</c> rewritten to the
/// upstream name, <c>models</c> removed, <c>stream_options.include_usage</c> forced on for streams (usage prices the
/// attempt). Everything else passes through byte for byte.
/// </summary>
internal static class OpenAiRequestBody
{
    private static readonly byte[] True = "true"u8.ToArray();
    private static readonly byte[] IncludeUsageMember = "\"include_usage\":true"u8.ToArray();
    private static readonly byte[] IncludeUsageMemberWithComma = "\"include_usage\":true,"u8.ToArray();
    private static readonly byte[] StreamOptionsMember = ",\"stream_options\":{\"include_usage\":true}"u8.ToArray();
    private static readonly byte[] StreamOptionsObject = "{\"include_usage\":true}"u8.ToArray();
    private static readonly byte[] ModelMember = "\"model\":"u8.ToArray();

    /// <summary>Writes the upstream body for <paramref name="request"/> into <paramref name="output"/>.</summary>
    /// <param name="request">The parsed client request.</param>
    /// <param name="upstreamModelJson">The upstream model name as a JSON string literal, quotes included.</param>
    /// <param name="output">Receives the body.</param>
    public static void Write(ChatRequest request, ReadOnlySpan<byte> upstreamModelJson, PooledBuffer output)
    {
        var body = request.Body.Span;
        Span<Splice> splices = stackalloc Splice[3];
        var count = 0;

        if (request.ModelValue.Exists)
        {
            splices[count++] = new Splice(request.ModelValue.Start, request.ModelValue.End, SpliceText.Model);
        }
        else
        {
            splices[count++] = new Splice(request.ObjectStart + 1, request.ObjectStart + 1, SpliceText.ModelMember);
        }

        if (request.ModelsProperty.Exists)
        {
            var (start, end) = WithSeparator(body, request.ModelsProperty);
            splices[count++] = new Splice(start, end, SpliceText.Nothing);
        }

        if (request.Stream && !request.ClientWantsUsage)
        {
            splices[count++] = UsageSplice(request, body);
        }

        var used = splices[..count];
        used.Sort(static (a, b) => a.Start.CompareTo(b.Start));
        var position = 0;
        foreach (var splice in used)
        {
            output.Write(body[position..splice.Start]);
            switch (splice.Text)
            {
                case SpliceText.Model:
                    output.Write(upstreamModelJson);
                    break;
                case SpliceText.ModelMember:
                    output.Write(ModelMember);
                    output.Write(upstreamModelJson);
                    output.Write(","u8);
                    break;
                case SpliceText.True:
                    output.Write(True);
                    break;
                case SpliceText.IncludeUsage:
                    output.Write(IncludeUsageMember);
                    break;
                case SpliceText.IncludeUsageWithComma:
                    output.Write(IncludeUsageMemberWithComma);
                    break;
                case SpliceText.StreamOptions:
                    output.Write(StreamOptionsMember);
                    break;
                case SpliceText.StreamOptionsObject:
                    output.Write(StreamOptionsObject);
                    break;
                case SpliceText.Nothing:
                default:
                    break;
            }

            position = splice.End;
        }

        output.Write(body[position..]);
    }

    private static Splice UsageSplice(ChatRequest request, ReadOnlySpan<byte> body)
    {
        if (request.IncludeUsageValue.Exists)
        {
            return new Splice(request.IncludeUsageValue.Start, request.IncludeUsageValue.End, SpliceText.True);
        }

        if (request.StreamOptionsNull.Exists)
        {
            return new Splice(request.StreamOptionsNull.Start, request.StreamOptionsNull.End, SpliceText.StreamOptionsObject);
        }

        if (request.StreamOptionsValue.Exists)
        {
            var afterBrace = request.StreamOptionsValue.Start + 1;
            var empty = body[afterBrace..(request.StreamOptionsValue.End - 1)].Trim(" \t\r\n"u8).IsEmpty;
            return new Splice(afterBrace, afterBrace, empty ? SpliceText.IncludeUsage : SpliceText.IncludeUsageWithComma);
        }

        return new Splice(request.ObjectEnd, request.ObjectEnd, SpliceText.StreamOptions);
    }

    /// <summary>Widens a member's range to take one neighbouring comma, so removing it leaves valid JSON.</summary>
    private static (int Start, int End) WithSeparator(ReadOnlySpan<byte> body, JsonRange member)
    {
        var after = member.End;
        while (after < body.Length && IsWhitespace(body[after]))
        {
            after++;
        }

        if (after < body.Length && body[after] == (byte)',')
        {
            return (member.Start, after + 1);
        }

        var before = member.Start - 1;
        while (before >= 0 && IsWhitespace(body[before]))
        {
            before--;
        }

        return before >= 0 && body[before] == (byte)',' ? (before, member.End) : (member.Start, member.End);
    }

    private static bool IsWhitespace(byte b) => b is (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n';

    private enum SpliceText
    {
        Nothing,
        Model,
        ModelMember,
        True,
        IncludeUsage,
        IncludeUsageWithComma,
        StreamOptions,
        StreamOptionsObject,
    }

    private readonly record struct Splice(int Start, int End, SpliceText Text);
}
