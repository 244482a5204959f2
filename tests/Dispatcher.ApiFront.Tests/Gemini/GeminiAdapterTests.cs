using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Dispatcher.FakeUpstream;
using Dispatcher.Providers;
using Dispatcher.Providers.Gemini;

namespace Dispatcher.ApiFront.Tests.Gemini;

/// <summary>The Gemini adapter against the fake's Gemini endpoints over real HTTP on loopback: answers, streams, tools, filters.</summary>
public sealed class GeminiAdapterTests : IClassFixture<GeminiUpstreamFixture>
{
    private const string ToolsJson =
        ",\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"get_weather\",\"parameters\":{\"type\":\"object\",\"properties\":{\"city\":{\"type\":\"string\"}}}}}],\"tool_choice\":\"auto\"";

    private readonly GeminiUpstreamFixture _fake;

    public GeminiAdapterTests(GeminiUpstreamFixture fake)
    {
        _fake = fake;
        _fake.Upstream.Reset();
    }

    private FakeUpstreamServer Upstream => _fake.Upstream;

    [Fact]
    public async Task CompleteAsync_TextAnswer_ServedAsChatCompletionFromGeminiCall()
    {
        using var call = GeminiCall.Simple(stream: false, "gemini-2.5-flash");
        using var timeout = new CancellationTokenSource(GeminiUpstreamFixture.Guard);

        using var result = await _fake.Adapter.CompleteAsync(call, timeout.Token);

        Assert.Null(result.Failure);
        var json = JsonNode.Parse(Encoding.UTF8.GetString(result.Body!.WrittenSpan))!;
        Assert.Equal("chat.completion", (string?)json["object"]);
        Assert.Equal("gemini-2.5-flash", (string?)json["model"]);
        Assert.StartsWith("chatcmpl-fake", (string?)json["id"], StringComparison.Ordinal);
        Assert.Equal(GeminiUpstreamFixture.Content, (string?)json["choices"]![0]!["message"]!["content"]);
        Assert.Equal("stop", (string?)json["choices"]![0]!["finish_reason"]);
        Assert.True(result.Facts.HasOutput);
        Assert.Equal(6, result.Facts.Usage!.Value.CompletionTokens);
        Assert.True(result.Facts.Usage.Value.PromptTokens > 0);
        Assert.Equal(result.Facts.Usage.Value.TotalTokens, (int?)json["usage"]!["total_tokens"]);

        var received = Assert.Single(Upstream.Received);
        Assert.Equal("/v1beta/models/gemini-2.5-flash:generateContent", received.Path);
        Assert.Equal("gemini-2.5-flash", received.Model);
        Assert.Equal(GeminiUpstreamFixture.Key, received.Headers["x-goog-api-key"]);
        Assert.Null(received.Authorization);
        var sent = JsonNode.Parse(received.Body)!;
        Assert.Equal("Say hello.", (string?)sent["contents"]![0]!["parts"]![0]!["text"]);
        Assert.Equal("Be brief.", (string?)sent["systemInstruction"]!["parts"]![0]!["text"]);
        Assert.Equal(1, Upstream.CallCount("gemini-2.5-flash"));
    }

    [Fact]
    public async Task OpenStreamAsync_TextAnswer_ChunksThenUsageThenDone()
    {
        using var call = GeminiCall.Simple(stream: true, "gemini-stream");
        var (chunks, status, _) = await _fake.StreamAsync(call);

        Assert.Equal(ChunkReadStatus.Done, status);
        Assert.Equal("assistant", (string?)chunks[0].Json["choices"]![0]!["delta"]!["role"]);
        Assert.Equal(GeminiUpstreamFixture.Content, Text(chunks));
        Assert.Equal(4, chunks.Count(c => c.Facts.HasOutput));
        var finish = chunks[^2];
        Assert.Equal("stop", (string?)finish.Json["choices"]![0]!["finish_reason"]);
        var usage = chunks[^1];
        Assert.True(usage.Facts.IsUsageOnly);
        Assert.Equal(6, usage.Facts.Usage!.Value.CompletionTokens);
        Assert.All(chunks, c => Assert.Equal("gemini-stream", (string?)c.Json["model"]));
        Assert.Single(chunks.Select(c => (string?)c.Json["id"]).Distinct());

        var received = Assert.Single(Upstream.Received);
        Assert.Equal("/v1beta/models/gemini-stream:streamGenerateContent?alt=sse", received.Path);
        Assert.True(received.Stream);
        Assert.DoesNotContain("key=", received.Path, StringComparison.Ordinal);
        Assert.DoesNotContain("\"stream\"", received.Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CompleteAsync_FunctionCall_IsToolCallWithArguments()
    {
        Upstream.Enqueue("gemini-tools", FakeBehavior.ToolCall("get_weather", """{"city":"Paris","unit":"celsius"}"""));
        using var call = GeminiCall.Simple(stream: false, "gemini-tools", ToolsJson);
        using var timeout = new CancellationTokenSource(GeminiUpstreamFixture.Guard);

        using var result = await _fake.Adapter.CompleteAsync(call, timeout.Token);

        Assert.Null(result.Failure);
        var json = JsonNode.Parse(Encoding.UTF8.GetString(result.Body!.WrittenSpan))!;
        var toolCall = json["choices"]![0]!["message"]!["tool_calls"]![0]!;
        Assert.Equal("get_weather", (string?)toolCall["function"]!["name"]);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"city":"Paris","unit":"celsius"}"""), JsonNode.Parse((string)toolCall["function"]!["arguments"]!)));
        Assert.Equal("tool_calls", (string?)json["choices"]![0]!["finish_reason"]);
        Assert.True(result.Facts.HasToolCalls);

        var sent = JsonNode.Parse(Upstream.Received[0].Body)!;
        Assert.Equal("get_weather", (string?)sent["tools"]![0]!["functionDeclarations"]![0]!["name"]);
        Assert.Equal("AUTO", (string?)sent["toolConfig"]!["functionCallingConfig"]!["mode"]);
    }

    [Fact]
    public async Task OpenStreamAsync_FunctionCall_IsToolCallDeltaAndToolCallsFinish()
    {
        Upstream.Enqueue("gemini-tools-stream", FakeBehavior.ToolCall("get_weather", """{"city":"Paris"}"""));
        using var call = GeminiCall.Simple(stream: true, "gemini-tools-stream", ToolsJson);

        var (chunks, status, _) = await _fake.StreamAsync(call);

        Assert.Equal(ChunkReadStatus.Done, status);
        var delta = chunks[0].Json["choices"]![0]!["delta"]!;
        Assert.Equal("get_weather", (string?)delta["tool_calls"]![0]!["function"]!["name"]);
        Assert.Equal("""{"city":"Paris"}""", (string?)delta["tool_calls"]![0]!["function"]!["arguments"]);
        Assert.True(chunks[0].Facts.HasToolCalls);
        Assert.Equal("tool_calls", (string?)chunks[1].Json["choices"]![0]!["finish_reason"]);
    }

    [Fact]
    public async Task Complete_FullConversation_IsAcceptedByGeminisValidation()
    {
        const string conversation = """
            ,"tools":[{"type":"function","function":{"name":"get_weather","parameters":{"type":"object","additionalProperties":false,"properties":{"city":{"type":["string","null"]}},"required":["city"]}}}],
            "tool_choice":{"type":"function","function":{"name":"get_weather"}},"temperature":0.2,"max_tokens":100,"stop":"END","response_format":{"type":"json_object"},
            "messages":[{"role":"system","content":"Be brief."},
              {"role":"user","content":[{"type":"text","text":"Weather here?"},{"type":"image_url","image_url":{"url":"data:image/jpeg;base64,/9j/4AAQ"}}]},
              {"role":"assistant","content":null,"tool_calls":[{"id":"call_1","type":"function","function":{"name":"get_weather","arguments":"{\"city\":\"Paris\"}"}}]},
              {"role":"tool","tool_call_id":"call_1","content":"{\"celsius\":18}"}]
            """;
        using var call = new GeminiCall("{\"model\":\"x\"" + conversation + "}", "gemini-3-flash-preview");
        using var timeout = new CancellationTokenSource(GeminiUpstreamFixture.Guard);

        using var result = await _fake.Adapter.CompleteAsync(call, timeout.Token);

        Assert.Null(result.Failure);
        var sent = JsonNode.Parse(Upstream.Received[0].Body)!;
        Assert.Equal(["user", "model", "user"], sent["contents"]!.AsArray().Select(c => (string?)c!["role"]));
        Assert.Equal("skip_thought_signature_validator", (string?)sent["contents"]![1]!["parts"]![0]!["thoughtSignature"]);
        Assert.Equal(18, (int?)sent["contents"]![2]!["parts"]![0]!["functionResponse"]!["response"]!["celsius"]);
    }

    [Fact]
    public async Task Complete_RequestGeminiWouldRefuse_FakeAnswersAsGemini()
    {
        // The fake checks field names as Gemini does: an unknown one is a 400 INVALID_ARGUMENT, classified as such.
        using var http = new HttpClient();
        using var content = new StringContent("""{"contents":[{"role":"user","parts":[{"text":"Hi"}]}],"generation_config":{"temperatura":1}}""", Encoding.UTF8, "application/json");
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(_fake.BaseUrl + "/models/gemini-x:generateContent")) { Content = content };
        request.Headers.Add("x-goog-api-key", GeminiUpstreamFixture.Key);

        using var response = await http.SendAsync(request);

        Assert.Equal(400, (int)response.StatusCode);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("INVALID_ARGUMENT", body.RootElement.GetProperty("error").GetProperty("status").GetString());
    }

    [Fact]
    public async Task CompleteAsync_WithoutKey_AuthFailed()
    {
        using var call = GeminiCall.Simple(stream: false, "gemini-no-key", key: string.Empty);
        using var timeout = new CancellationTokenSource(GeminiUpstreamFixture.Guard);

        using var result = await _fake.Adapter.CompleteAsync(call, timeout.Token);

        Assert.Equal(FailureKind.AuthFailed, result.Failure!.Kind);
        Assert.False(Upstream.Received[0].Headers.ContainsKey("x-goog-api-key"));
    }

    [Fact]
    public async Task PromptBlocked_BothShapes_ContentFiltered()
    {
        Upstream.Enqueue("gemini-blocked", FakeBehavior.ContentFilter());
        Upstream.Enqueue("gemini-blocked", FakeBehavior.ContentFilter());
        using var whole = GeminiCall.Simple(stream: false, "gemini-blocked");
        using var streamed = GeminiCall.Simple(stream: true, "gemini-blocked");
        using var timeout = new CancellationTokenSource(GeminiUpstreamFixture.Guard);

        using var result = await _fake.Adapter.CompleteAsync(whole, timeout.Token);
        var (chunks, status, failure) = await _fake.StreamAsync(streamed);

        Assert.Equal(FailureKind.ContentFiltered, result.Failure!.Kind);
        Assert.Empty(chunks);
        Assert.Equal(ChunkReadStatus.Failed, status);
        Assert.Equal(FailureKind.ContentFiltered, failure!.Kind);
    }

    [Fact]
    public async Task SafetyFinish_WholeIsContentFilterAnswer_StreamFailsContentFiltered()
    {
        Upstream.SetDefault("gemini-safety", FakeBehavior.ContentFilterFinish());
        using var whole = GeminiCall.Simple(stream: false, "gemini-safety");
        using var streamed = GeminiCall.Simple(stream: true, "gemini-safety");
        using var timeout = new CancellationTokenSource(GeminiUpstreamFixture.Guard);

        using var result = await _fake.Adapter.CompleteAsync(whole, timeout.Token);
        var (chunks, status, failure) = await _fake.StreamAsync(streamed);

        Assert.Null(result.Failure);
        Assert.Equal(FinishReasons.ContentFilter, result.Facts.FinishReason);
        Assert.False(result.Facts.HasOutput);
        Assert.Empty(chunks);
        Assert.Equal(ChunkReadStatus.Failed, status);
        Assert.Equal(FailureKind.ContentFiltered, failure!.Kind);
    }

    private static string Text(List<(JsonNode Json, ResponseFacts Facts)> chunks) =>
        string.Concat(chunks.Select(c => (string?)c.Json["choices"]!.AsArray().FirstOrDefault()?["delta"]?["content"]));
}
