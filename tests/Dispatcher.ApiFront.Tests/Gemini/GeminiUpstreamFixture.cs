using System.Text;
using System.Text.Json.Nodes;
using Dispatcher.FakeUpstream;
using Dispatcher.Providers;
using Dispatcher.Providers.Gemini;

namespace Dispatcher.ApiFront.Tests.Gemini;

/// <summary>A FakeUpstream of its own, spoken to in Gemini's format by a <see cref="GeminiAdapter"/> over real HTTP.</summary>
public sealed class GeminiUpstreamFixture : IAsyncLifetime
{
    public const string Key = "AIzaSy-test-gemini-0001";
    public const string Content = "Hello from the fake Gemini upstream.";

    /// <summary>A bound on every call, so a broken test fails instead of hanging; no test waits for it.</summary>
    public static readonly TimeSpan Guard = TimeSpan.FromSeconds(30);

    public FakeUpstreamServer Upstream { get; private set; } = null!;

    public HttpClient Http { get; } = new() { Timeout = Timeout.InfiniteTimeSpan };

    public GeminiAdapter Adapter { get; private set; } = null!;

    /// <summary>The Gemini API root of the fake: <c>http://127.0.0.1:port/v1beta</c>.</summary>
    public Uri BaseUrl { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Upstream = await FakeUpstreamServer.StartAsync(new FakeUpstreamOptions { Content = Content, StreamChunks = 4 });
        BaseUrl = new Uri(Upstream.BaseUrl, "/v1beta");
        Adapter = new GeminiAdapter(Http, new GeminiAdapterOptions { BaseUrl = BaseUrl });
    }

    public async Task DisposeAsync()
    {
        Http.Dispose();
        await Upstream.DisposeAsync();
    }

    /// <summary>Opens a stream and reads it to its end: the chunks (parsed), how it ended and its failure.</summary>
    public async Task<(List<(JsonNode Json, ResponseFacts Facts)> Chunks, ChunkReadStatus End, UpstreamFailure? Failure)> StreamAsync(UpstreamCall call)
    {
        using var timeout = new CancellationTokenSource(Guard);
        var open = await Adapter.OpenStreamAsync(call, timeout.Token);
        if (open.Source is null)
        {
            return ([], ChunkReadStatus.Failed, open.Failure);
        }

        await using var source = open.Source;
        var chunks = new List<(JsonNode, ResponseFacts)>();
        while (true)
        {
            var status = await source.ReadAsync(timeout.Token);
            if (status != ChunkReadStatus.Chunk)
            {
                return (chunks, status, source.Failure);
            }

            chunks.Add((JsonNode.Parse(Encoding.UTF8.GetString(source.Chunk.Span))!, source.Facts));
        }
    }
}
