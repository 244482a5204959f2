using System.Text;
using System.Text.Json.Nodes;
using Dispatcher.Providers;
using Dispatcher.Providers.Anthropic;
using Xunit;

namespace Dispatcher.Grains.Tests.Anthropic;

public sealed class AnthropicMapperResponseTests
{
    private const long Created = 1_700_000_000;

    [Fact]
    public void TryWriteCompletion_TextMessage_IsAnOpenAiCompletion()
    {
        var (json, facts) = Translate(AnthropicFixtures.Read("message-text.json"));

        AnthropicFixtures.AssertJsonEqual("""
            {"id":"msg_013Zva2CMHLNnXjNJJKqJ2EF","object":"chat.completion","created":1700000000,"model":"claude-3-7-sonnet-20250219",
             "choices":[{"index":0,"message":{"role":"assistant","content":"Hi! My name is Claude.","refusal":null},"logprobs":null,"finish_reason":"stop"}],
             "usage":{"prompt_tokens":2095,"completion_tokens":503,"total_tokens":2598,"prompt_tokens_details":{"cached_tokens":0}}}
            """, json);
        Assert.True(facts.HasOutput);
        Assert.False(facts.HasToolCalls);
        Assert.Equal(FinishReasons.Stop, facts.FinishReason);
        Assert.Equal("claude-3-7-sonnet-20250219", facts.Model);
        Assert.Equal("msg_013Zva2CMHLNnXjNJJKqJ2EF", facts.Id);
        Assert.Equal(new TokenUsage(2095, 503, 0, 0), facts.Usage);
    }

    [Fact]
    public void TryWriteCompletion_ToolUse_BecomesToolCallsWithJsonTextArguments()
    {
        var (json, facts) = Translate(AnthropicFixtures.Read("message-tool-use.json"));

        var message = JsonNode.Parse(json)!["choices"]![0]!["message"]!;
        Assert.Equal("I'll check the current weather in San Francisco for you.", message["content"]!.GetValue<string>());
        var call = message["tool_calls"]![0]!;
        Assert.Equal("toolu_01A09q90qw90lq917835lq9", call["id"]!.GetValue<string>());
        Assert.Equal("function", call["type"]!.GetValue<string>());
        Assert.Equal("get_weather", call["function"]!["name"]!.GetValue<string>());
        AnthropicFixtures.AssertJsonEqual("""{"location":"San Francisco, CA","unit":"celsius"}""", call["function"]!["arguments"]!.GetValue<string>());
        Assert.Equal("tool_calls", JsonNode.Parse(json)!["choices"]![0]!["finish_reason"]!.GetValue<string>());
        Assert.True(facts.HasToolCalls);
        Assert.True(facts.HasOutput);
        Assert.Equal(FinishReasons.ToolCalls, facts.FinishReason);
        Assert.Null(facts.Usage);
    }

    [Fact]
    public void TryWriteCompletion_PromptCacheRead_CountsCachedInputInPromptTokens()
    {
        var (json, facts) = Translate(AnthropicFixtures.Read("message-prompt-cache-read.json"));

        Assert.Equal(new TokenUsage(21 + 188 + 188086, 393, 188086, 0), facts.Usage);
        AnthropicFixtures.AssertJsonEqual(
            """{"prompt_tokens":188295,"completion_tokens":393,"total_tokens":188688,"prompt_tokens_details":{"cached_tokens":188086}}""",
            JsonNode.Parse(json)!["usage"]!.ToJsonString());
    }

    [Fact]
    public void TryWriteCompletion_ThinkingBlock_IsNotCarried()
    {
        var (json, _) = Translate(AnthropicFixtures.Read("message-thinking.json"));

        Assert.Equal("Based on my analysis...", JsonNode.Parse(json)!["choices"]![0]!["message"]!["content"]!.GetValue<string>());
    }

    [Fact]
    public void TryWriteCompletion_SeveralTextBlocksWithEscapes_AreJoinedExactly()
    {
        var (json, _) = Translate("""
            {"id":"msg_1","type":"message","role":"assistant","model":"claude","content":[
              {"type":"text","text":"Line \"one\"\n"},{"type":"text","text":""},{"type":"text","text":"caf\u00e9 東京"}],
             "stop_reason":"end_turn","usage":{"input_tokens":1,"output_tokens":2}}
            """);

        Assert.Equal("Line \"one\"\ncafé 東京", JsonNode.Parse(json)!["choices"]![0]!["message"]!["content"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("end_turn", "stop")]
    [InlineData("stop_sequence", "stop")]
    [InlineData("max_tokens", "length")]
    [InlineData("tool_use", "tool_calls")]
    [InlineData("refusal", "content_filter")]
    [InlineData("pause_turn", "stop")]
    [InlineData("model_context_window_exceeded", "length")]
    public void TryWriteCompletion_StopReason_MapsToFinishReason(string stopReason, string finishReason)
    {
        var (json, facts) = Translate(
            "{\"id\":\"m\",\"type\":\"message\",\"model\":\"c\",\"content\":[],\"stop_reason\":\"" + stopReason + "\"}");

        Assert.Equal(finishReason, facts.FinishReason);
        Assert.Equal(finishReason, JsonNode.Parse(json)!["choices"]![0]!["finish_reason"]!.GetValue<string>());
        Assert.False(facts.HasOutput);
        Assert.Null(JsonNode.Parse(json)!["choices"]![0]!["message"]!["content"]);
    }

    [Fact]
    public void TryWriteCompletion_ErrorBody_ReportsTheClassifiedError()
    {
        using var output = new PooledBuffer();

        Assert.True(AnthropicMapper.TryWriteCompletion(AnthropicFixtures.ReadBytes("error-not-found.json"), Created, output, out var facts));

        Assert.Equal(FailureKind.ModelNotFound, facts.Error?.Kind);
        Assert.DoesNotContain("could not be found", facts.Error!.Detail, StringComparison.Ordinal);
        Assert.Equal(0, output.Length);
    }

    [Theory]
    [InlineData("""{"id":"msg_fake","type":"message","role":"assistant","content":[{"type":"text","text":"Hel""")]
    [InlineData("""{"id":"chatcmpl-1","object":"chat.completion","choices":[{"index":0,"message":{"role":"assistant","content":"Hi"}}]}""")]
    [InlineData("""{"type":"message","content":"Hi"}""")]
    [InlineData("""{"type":"completion","content":[]}""")]
    [InlineData("""[{"type":"message","content":[]}]""")]
    [InlineData("""{"type":"message","content":[]} trailing""")]
    [InlineData("")]
    public void TryWriteCompletion_NotAnAnthropicMessage_ReturnsFalse(string body)
    {
        using var output = new PooledBuffer();

        Assert.False(AnthropicMapper.TryWriteCompletion(Encoding.UTF8.GetBytes(body), Created, output, out _));
    }

    private static (string Json, ResponseFacts Facts) Translate(string anthropic)
    {
        using var output = new PooledBuffer();
        Assert.True(AnthropicMapper.TryWriteCompletion(Encoding.UTF8.GetBytes(anthropic), Created, output, out var facts));
        Assert.Null(facts.Error);
        return (Encoding.UTF8.GetString(output.WrittenSpan), facts);
    }
}
