using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using System.Text.Json.Nodes;
using Dispatcher.FakeUpstream;
using Dispatcher.Providers;
using Dispatcher.Providers.Anthropic;

namespace Dispatcher.ApiFront.Tests.Anthropic;

/// <summary>The Anthropic adapter over real HTTP against FakeUpstream's <c>POST /v1/messages</c>.</summary>
public sealed class AnthropicAdapterTests : IClassFixture<AnthropicUpstreamFixture>
{
    private const string Model = "claude-sonnet-4-5";
    private const string Chat = """{"model":"sonnet","messages":[{"role":"system","content":"Be brief."},{"role":"user","content":"Say hello."}]}""";
    private const string StreamChat = """{"model":"sonnet","stream":true,"messages":[{"role":"user","content":"Say hello."}]}""";
    private const string ToolChat = """
        {"model":"sonnet","messages":[{"role":"user","content":"Weather in Paris?"}],
         "tools":[{"type":"function","function":{"name":"get_weather","parameters":{"type":"object","properties":{"location":{"type":"string"}}}}}]}
        """;

    private readonly AnthropicUpstreamFixture _fixture;

    public AnthropicAdapterTests(AnthropicUpstreamFixture fixture)
    {
        _fixture = fixture;
        _fixture.Upstream.Reset();
    }

    private FakeUpstreamServer Upstream => _fixture.Upstream;

    private AnthropicAdapter Adapter => _fixture.Adapter;

    [Fact]
    public async Task Complete_Text_AnswersInOpenAiShapeWithAnthropicsUsage()
    {
        using var result = await Adapter.CompleteAsync(AnthropicUpstreamFixture.Call(Chat, Model), CancellationToken.None);

        Assert.Null(result.Failure);
        var answer = JsonNode.Parse(result.Body!.WrittenSpan)!;
        Assert.Equal("chat.completion", answer["object"]!.GetValue<string>());
        Assert.Equal(Model, answer["model"]!.GetValue<string>());
        Assert.StartsWith("msg_", answer["id"]!.GetValue<string>(), StringComparison.Ordinal);
        var choice = answer["choices"]![0]!;
        Assert.Equal(AnthropicUpstreamFixture.Content, choice["message"]!["content"]!.GetValue<string>());
        Assert.Equal("assistant", choice["message"]!["role"]!.GetValue<string>());
        Assert.Equal("stop", choice["finish_reason"]!.GetValue<string>());
        Assert.Equal(5, answer["usage"]!["completion_tokens"]!.GetValue<int>());
        Assert.True(result.Facts.HasOutput);
        Assert.Equal(Model, result.Facts.Model);
        Assert.Equal(5, result.Facts.Usage?.CompletionTokens);
        Assert.True(result.Facts.Usage?.PromptTokens > 0);
        Assert.Equal(3999, result.RateLimits.RemainingRequests);
        Assert.Equal(1, Upstream.CallCount(Model));
    }

    [Fact]
    public async Task Complete_Request_IsAnthropicsWireFormat()
    {
        using var result = await Adapter.CompleteAsync(AnthropicUpstreamFixture.Call(Chat, Model), CancellationToken.None);

        var received = Assert.Single(Upstream.Received);
        Assert.Equal("/v1/messages", received.Path);
        Assert.Equal(Model, received.Model);
        Assert.Equal(AnthropicUpstreamFixture.ApiKey, received.Headers["x-api-key"]);
        Assert.Equal("2023-06-01", received.Headers["anthropic-version"]);
        Assert.StartsWith("application/json", received.Headers["content-type"], StringComparison.Ordinal);
        Assert.Null(received.Authorization);
        Assert.False(received.Stream);
        using var body = JsonDocument.Parse(received.Body);
        Assert.Equal(4096, body.RootElement.GetProperty("max_tokens").GetInt32());
        Assert.Equal("Be brief.", body.RootElement.GetProperty("system")[0].GetProperty("text").GetString());
        Assert.Equal("user", body.RootElement.GetProperty("messages")[0].GetProperty("role").GetString());
    }

    [Fact]
    public async Task Complete_ConfiguredHeaders_AreSentAndMayPinTheVersion()
    {
        var adapter = new AnthropicAdapter(_fixture.Http, new AnthropicAdapterOptions
        {
            BaseUrl = Upstream.BaseUrl,
            Headers = new Dictionary<string, string> { ["anthropic-beta"] = "prompt-caching-2024-07-31", ["Anthropic-Version"] = "2024-01-01" },
        });

        using var result = await adapter.CompleteAsync(AnthropicUpstreamFixture.Call(Chat, Model), CancellationToken.None);

        Assert.Null(result.Failure);
        var received = Assert.Single(Upstream.Received);
        Assert.Equal("prompt-caching-2024-07-31", received.Headers["anthropic-beta"]);
        Assert.Equal("2024-01-01", received.Headers["anthropic-version"]);
    }

    [Fact]
    public async Task OpenStream_Text_ChunksEndWithFinishAndUsageThenDone()
    {
        var open = await Adapter.OpenStreamAsync(AnthropicUpstreamFixture.Call(StreamChat, Model), CancellationToken.None);

        Assert.Null(open.Failure);
        await using var source = open.Source!;
        var (chunks, status) = await AnthropicChunks.ReadAllAsync(source);
        Assert.Equal(ChunkReadStatus.Done, status);
        Assert.Equal("assistant", chunks[0].Json["choices"]![0]!["delta"]!["role"]!.GetValue<string>());
        Assert.Equal(Model, chunks[0].Facts.Model);
        Assert.Equal(AnthropicUpstreamFixture.Content, AnthropicChunks.Text(chunks));
        Assert.Equal(FinishReasons.Stop, chunks[^2].Facts.FinishReason);
        Assert.True(chunks[^1].Facts.IsUsageOnly);
        Assert.Equal(5, chunks[^1].Facts.Usage?.CompletionTokens);
        Assert.True(Assert.Single(Upstream.Received).Stream);
    }

    [Fact]
    public async Task Complete_ToolCall_ReturnsToolCalls()
    {
        Upstream.Enqueue(Model, FakeBehavior.ToolCall("get_weather", """{"location":"Paris"}"""));

        using var result = await Adapter.CompleteAsync(AnthropicUpstreamFixture.Call(ToolChat, Model), CancellationToken.None);

        Assert.Null(result.Failure);
        var choice = JsonNode.Parse(result.Body!.WrittenSpan)!["choices"]![0]!;
        Assert.Equal("tool_calls", choice["finish_reason"]!.GetValue<string>());
        Assert.Null(choice["message"]!["content"]);
        var call = choice["message"]!["tool_calls"]![0]!;
        Assert.StartsWith("toolu_", call["id"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal("get_weather", call["function"]!["name"]!.GetValue<string>());
        Assert.Equal("""{"location":"Paris"}""", call["function"]!["arguments"]!.GetValue<string>());
        Assert.True(result.Facts.HasToolCalls);
        using var sent = JsonDocument.Parse(Assert.Single(Upstream.Received).Body);
        Assert.Equal("get_weather", sent.RootElement.GetProperty("tools")[0].GetProperty("name").GetString());
        Assert.Equal(JsonValueKind.Object, sent.RootElement.GetProperty("tools")[0].GetProperty("input_schema").ValueKind);
    }

    [Fact]
    public async Task OpenStream_ToolCall_StreamsIdNameThenArguments()
    {
        Upstream.Enqueue(Model, FakeBehavior.ToolCall("get_weather", """{"location":"Paris","unit":"celsius"}"""));

        var open = await Adapter.OpenStreamAsync(AnthropicUpstreamFixture.Call(ToolChat.Replace("\"sonnet\",", "\"sonnet\",\"stream\":true,", StringComparison.Ordinal), Model), CancellationToken.None);
        await using var source = open.Source!;
        var (chunks, status) = await AnthropicChunks.ReadAllAsync(source);

        Assert.Equal(ChunkReadStatus.Done, status);
        var calls = chunks.Where(c => c.Facts.HasToolCalls).Select(c => c.Json["choices"]![0]!["delta"]!["tool_calls"]![0]!).ToList();
        Assert.True(calls.Count >= 2);
        Assert.Equal("get_weather", calls[0]["function"]!["name"]!.GetValue<string>());
        Assert.StartsWith("toolu_", calls[0]["id"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal("""{"location":"Paris","unit":"celsius"}""", string.Concat(calls.Select(c => c["function"]!["arguments"]!.GetValue<string>())));
        Assert.Equal(FinishReasons.ToolCalls, chunks[^2].Facts.FinishReason);
    }

    [Fact]
    public async Task Complete_Refusal_FinishesWithContentFilter()
    {
        Upstream.Enqueue(Model, FakeBehavior.ContentFilterFinish());

        using var result = await Adapter.CompleteAsync(AnthropicUpstreamFixture.Call(Chat, Model), CancellationToken.None);

        Assert.Equal(FinishReasons.ContentFilter, result.Facts.FinishReason);
        Assert.False(result.Facts.HasOutput);
    }

    [Fact]
    public async Task Complete_NoApiKey_TheUpstreamRefusesAsAuthFailed()
    {
        using var result = await Adapter.CompleteAsync(AnthropicUpstreamFixture.Call(Chat, Model, apiKey: string.Empty), CancellationToken.None);

        Assert.Equal(FailureKind.AuthFailed, result.Failure?.Kind);
        Assert.Equal(401, result.Failure!.StatusCode);
    }

    [Fact]
    public async Task Complete_FeatureAnthropicCannotCarry_FailsWithoutCallingTheUpstream()
    {
        using var result = await Adapter.CompleteAsync(
            AnthropicUpstreamFixture.Call("""{"model":"sonnet","n":3,"messages":[{"role":"user","content":"Hi"}]}""", Model), CancellationToken.None);

        Assert.Equal(FailureKind.CapabilityMismatch, result.Failure?.Kind);
        Assert.Equal(0, Upstream.TotalCalls);
    }

    [Fact]
    public async Task Complete_NothingListening_IsAConnectionFailure()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        var adapter = new AnthropicAdapter(_fixture.Http, new AnthropicAdapterOptions { BaseUrl = new Uri($"http://127.0.0.1:{port}/v1") });

        using var result = await adapter.CompleteAsync(AnthropicUpstreamFixture.Call(Chat, Model), CancellationToken.None);

        Assert.Equal(FailureKind.ConnectionFailed, result.Failure?.Kind);
    }
}
