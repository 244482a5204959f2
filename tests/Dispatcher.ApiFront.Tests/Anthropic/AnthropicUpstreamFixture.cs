using System.Buffers;
using System.Text;
using Dispatcher.FakeUpstream;
using Dispatcher.Providers;
using Dispatcher.Providers.Anthropic;
using Dispatcher.Providers.Chat;

namespace Dispatcher.ApiFront.Tests.Anthropic;

/// <summary>A FakeUpstream of its own (Anthropic's endpoint), an HTTP client and an adapter pointed at it.</summary>
public sealed class AnthropicUpstreamFixture : IAsyncLifetime
{
    public const string ApiKey = "sk-ant-api03-test-key";
    public const string Content = "Hello from the fake Anthropic.";

    public FakeUpstreamServer Upstream { get; private set; } = null!;

    public HttpClient Http { get; } = new() { Timeout = TimeSpan.FromSeconds(30) };

    public AnthropicAdapter Adapter { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Upstream = await FakeUpstreamServer.StartAsync(new FakeUpstreamOptions { Content = Content, StreamChunks = 3 });
        Adapter = new AnthropicAdapter(Http, new AnthropicAdapterOptions { BaseUrl = Upstream.BaseUrl });
    }

    public async Task DisposeAsync()
    {
        Http.Dispose();
        await Upstream.DisposeAsync();
    }

    /// <summary>An attempt as Dispatcher makes one: the client's OpenAI body parsed by the front's parser.</summary>
    public static UpstreamCall Call(string openAiBody, string upstreamModel, string apiKey = ApiKey)
    {
        var bytes = Encoding.UTF8.GetBytes(openAiBody);
        var pooled = ArrayPool<byte>.Shared.Rent(bytes.Length);
        bytes.CopyTo(pooled, 0);
        var request = ChatRequestParser.Parse(pooled, bytes.Length, out var error)
            ?? throw new InvalidOperationException("the test body was refused: " + error?.Message);
        return new UpstreamCall(request, new UpstreamModel(upstreamModel), apiKey);
    }
}
