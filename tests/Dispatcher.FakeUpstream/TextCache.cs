using System.Collections.Concurrent;

namespace Dispatcher.FakeUpstream;

/// <summary>Prepares each distinct answer text once per server, so a request only copies bytes.</summary>
internal sealed class TextCache(FakeUpstreamOptions options)
{
    private readonly ConcurrentDictionary<string, PreparedText> _texts = new(StringComparer.Ordinal);
    private readonly PreparedText _default = PreparedText.Create(options.Content, options.StreamChunks);

    /// <summary>The prepared <paramref name="text"/>; null means the server's default content.</summary>
    public PreparedText Get(string? text) =>
        text is null ? _default : _texts.GetOrAdd(text, static (t, chunks) => PreparedText.Create(t, chunks), options.StreamChunks);
}
