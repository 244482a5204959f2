using System.Buffers;
using System.Text;
using Dispatcher.Providers;
using Dispatcher.Providers.Chat;

namespace Dispatcher.ApiFront.Tests.Gemini;

/// <summary>
/// An attempt as the dispatcher builds it (the client's OpenAI body parsed by the front's parser); disposing returns
/// the parsed request's buffer to the pool.
/// </summary>
public sealed class GeminiCall : IDisposable
{
    public GeminiCall(string openAiBody, string model, string key = GeminiUpstreamFixture.Key)
    {
        var bytes = Encoding.UTF8.GetBytes(openAiBody);
        var pooled = ArrayPool<byte>.Shared.Rent(bytes.Length);
        bytes.CopyTo(pooled, 0);
        var request = ChatRequestParser.Parse(pooled, bytes.Length, out var error)
            ?? throw new InvalidOperationException("test body refused: " + error?.Message);
        Attempt = new UpstreamCall(request, new UpstreamModel(model), key);
    }

    public UpstreamCall Attempt { get; }

    public static implicit operator UpstreamCall(GeminiCall call) => call.Attempt;

    /// <summary>A system and a user message, plus <paramref name="extra"/> top-level members (leading comma included).</summary>
    public static GeminiCall Simple(bool stream, string model, string extra = "", string key = GeminiUpstreamFixture.Key) =>
        new("{\"model\":\"gemini-route\",\"messages\":[{\"role\":\"system\",\"content\":\"Be brief.\"},{\"role\":\"user\",\"content\":\"Say hello.\"}],\"stream\":"
            + (stream ? "true" : "false") + extra + "}", model, key);

    public UpstreamCall ToUpstreamCall() => Attempt;

    public void Dispose() => Attempt.Request.Dispose();
}
