using System.Text;
using Dispatcher.Providers;
using Dispatcher.Providers.OpenAi;
using Xunit;

namespace Dispatcher.Grains.Tests.OpenAi;

public sealed class OpenAiResponseScannerTests
{
    [Fact]
    public void TryScan_ChatCompletion_ReadsUsageModelIdAndFinishReason()
    {
        const string body = """
            {"id":"chatcmpl-abc","object":"chat.completion","created":1741569952,"model":"gpt-4o-2024-08-06",
             "choices":[{"index":0,"message":{"role":"assistant","content":"Hello!","refusal":null,"annotations":[]},
                         "logprobs":null,"finish_reason":"stop"}],
             "usage":{"prompt_tokens":19,"completion_tokens":10,"total_tokens":29,
                      "prompt_tokens_details":{"cached_tokens":5,"audio_tokens":0},
                      "completion_tokens_details":{"reasoning_tokens":3,"audio_tokens":0,"accepted_prediction_tokens":0}},
             "service_tier":"default","system_fingerprint":"fp_1"}
            """;

        var facts = Scan(body, captureModel: true, out var hasChoices);

        Assert.True(hasChoices);
        Assert.True(facts.HasOutput);
        Assert.False(facts.HasToolCalls);
        Assert.False(facts.IsUsageOnly);
        Assert.Equal(new TokenUsage(19, 10, 5, 3), facts.Usage);
        Assert.Equal("gpt-4o-2024-08-06", facts.Model);
        Assert.Equal("chatcmpl-abc", facts.Id);
        Assert.Equal(FinishReasons.Stop, facts.FinishReason);
        Assert.Null(facts.Error);
    }

    [Fact]
    public void TryScan_WithoutCaptureModel_LeavesModelAndIdNull()
    {
        var facts = Scan("""{"id":"chatcmpl-abc","model":"gpt-4o","choices":[{"index":0,"delta":{"content":"Hi"}}]}""", captureModel: false, out _);

        Assert.Null(facts.Model);
        Assert.Null(facts.Id);
        Assert.True(facts.HasOutput);
    }

    [Fact]
    public void TryScan_RoleOnlyFirstChunk_HasNoOutput()
    {
        var facts = Scan(Chunk("""{"role":"assistant","content":"","refusal":null}""", "null"), captureModel: true, out var hasChoices);

        Assert.True(hasChoices);
        Assert.False(facts.HasOutput);
        Assert.Null(facts.FinishReason);
        Assert.Equal("gpt-4o-mini", facts.Model);
    }

    [Theory]
    [InlineData("""{"content":"Hel"}""")]
    [InlineData("""{"content":" "}""")]
    [InlineData("""{"role":"assistant","content":"\n"}""")]
    [InlineData("""{"refusal":"I can't help with that."}""")]
    public void TryScan_ContentOrRefusalDelta_HasOutput(string delta)
    {
        var facts = Scan(Chunk(delta, "null"), captureModel: false, out _);

        Assert.True(facts.HasOutput);
        Assert.False(facts.HasToolCalls);
    }

    [Theory]
    [InlineData("""{"content":""}""")]
    [InlineData("""{"content":null}""")]
    [InlineData("""{"refusal":""}""")]
    [InlineData("""{"tool_calls":[]}""")]
    [InlineData("""{"tool_calls":null}""")]
    [InlineData("{}")]
    public void TryScan_EmptyDelta_HasNoOutput(string delta)
    {
        var facts = Scan(Chunk(delta, "null"), captureModel: false, out _);

        Assert.False(facts.HasOutput);
        Assert.False(facts.HasToolCalls);
    }

    [Fact]
    public void TryScan_EmptyToolCallsWithWhitespace_HasNoOutput()
    {
        var facts = Scan(Chunk("""{"tool_calls": [ ]}""", "null"), captureModel: false, out _);

        Assert.False(facts.HasOutput);
        Assert.False(facts.HasToolCalls);
    }

    [Fact]
    public void TryScan_ToolCallDelta_HasOutputAndToolCalls()
    {
        const string delta = """{"role":"assistant","content":null,"tool_calls":[{"index":0,"id":"call_1","type":"function","function":{"name":"get_weather","arguments":""}}]}""";

        var facts = Scan(Chunk(delta, "null"), captureModel: false, out _);

        Assert.True(facts.HasOutput);
        Assert.True(facts.HasToolCalls);
    }

    [Fact]
    public void TryScan_LegacyFunctionCallDelta_HasOutputAndToolCalls()
    {
        var facts = Scan(Chunk("""{"function_call":{"name":"f","arguments":""}}""", "null"), captureModel: false, out _);

        Assert.True(facts.HasOutput);
        Assert.True(facts.HasToolCalls);
    }

    [Theory]
    [InlineData("\"stop\"", FinishReasons.Stop)]
    [InlineData("\"length\"", FinishReasons.Length)]
    [InlineData("\"tool_calls\"", FinishReasons.ToolCalls)]
    [InlineData("\"content_filter\"", FinishReasons.ContentFilter)]
    [InlineData("\"eos\"", "eos")]
    public void TryScan_FinishChunk_ReadsFinishReasonWithoutOutput(string finishReason, string expected)
    {
        var facts = Scan(Chunk("{}", finishReason), captureModel: false, out _);

        Assert.Equal(expected, facts.FinishReason);
        Assert.False(facts.HasOutput);
        Assert.False(facts.IsUsageOnly);
    }

    [Fact]
    public void TryScan_UsageOnlyChunk_IsUsageOnly()
    {
        const string chunk = """{"id":"chatcmpl-abc","object":"chat.completion.chunk","created":1,"model":"gpt-4o-mini","choices":[],"usage":{"prompt_tokens":12,"completion_tokens":7,"total_tokens":19}}""";

        var facts = Scan(chunk, captureModel: false, out var hasChoices);

        Assert.True(facts.IsUsageOnly);
        Assert.True(hasChoices);
        Assert.False(facts.HasOutput);
        Assert.Equal(new TokenUsage(12, 7, 0, 0), facts.Usage);
        Assert.Equal(19, facts.Usage!.Value.TotalTokens);
    }

    [Fact]
    public void TryScan_UsageNullOnContentChunk_IsNotUsageOnly()
    {
        var facts = Scan("""{"choices":[{"index":0,"delta":{"content":"x"}}],"usage":null}""", captureModel: false, out _);

        Assert.False(facts.IsUsageOnly);
        Assert.Null(facts.Usage);
    }

    [Fact]
    public void TryScan_NoChoicesMember_ReportsNoChoices()
    {
        Scan("""{"id":"x","object":"chat.completion.chunk"}""", captureModel: false, out var hasChoices);

        Assert.False(hasChoices);
    }

    [Theory]
    [InlineData("""{"error":{"message":"Rate limit for sk-abc123","type":"rate_limit_error","code":null}}""", FailureKind.RateLimited)]
    [InlineData("""{"error":{"message":"The server had an error sk-abc123","type":"server_error","code":null}}""", FailureKind.ServerError)]
    [InlineData("""{"error":{"message":"maximum context length is 4096 tokens sk-abc123","type":"BadRequestError"}}""", FailureKind.ContextOverflow)]
    [InlineData("""{"error":{"message":"blocked sk-abc123","code":"content_filter"}}""", FailureKind.ContentFiltered)]
    [InlineData("""{"error":"Internal error sk-abc123"}""", FailureKind.ServerError)]
    [InlineData("""{"id":"x","choices":[],"error":{"message":"Overloaded sk-abc123","code":502}}""", FailureKind.ServerError)]
    public void TryScan_InBandErrorChunk_ClassifiesError(string chunk, FailureKind expected)
    {
        var facts = Scan(chunk, captureModel: false, out _);

        Assert.NotNull(facts.Error);
        Assert.Equal(expected, facts.Error.Kind);
        Assert.DoesNotContain("sk-abc123", facts.Error.Detail, StringComparison.Ordinal);
        Assert.Contains(expected.ToWireName(), facts.Error.Detail, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData("[DONE]")]
    [InlineData("[]")]
    [InlineData("\"text\"")]
    [InlineData("""{"choices":[{"delta":{"content":"x"}""")]
    [InlineData("""{"choices":[{"delta":{"content":"x"}}]""")]
    [InlineData("""{"id":'x'}""")]
    public void TryScan_Malformed_ReturnsFalse(string json)
    {
        Assert.False(OpenAiResponseScanner.TryScan(Encoding.UTF8.GetBytes(json), captureModel: true, out _, out _));
    }

    [Theory]
    [InlineData("""{"choices":[{"delta":{"content":"x"}}]}}""")]
    [InlineData("""{"choices":[]}{"choices":[]}""")]
    [InlineData("""{"choices":[]} x""")]
    public void TryScan_TrailingData_ReturnsFalse(string json)
    {
        Assert.False(OpenAiResponseScanner.TryScan(Encoding.UTF8.GetBytes(json), captureModel: true, out _, out _));
    }

    [Fact]
    public void TryScan_WrongTypesInKnownFields_ScansWhatItCan()
    {
        const string chunk = """{"model":5,"choices":{"x":1},"usage":{"prompt_tokens":"many","completion_tokens":-3}}""";

        var facts = Scan(chunk, captureModel: true, out _);

        Assert.Null(facts.Model);
        Assert.False(facts.HasOutput);
        Assert.Equal(new TokenUsage(0, 0, 0, 0), facts.Usage);
    }

    private static string Chunk(string delta, string finishReason) =>
        $$"""{"id":"chatcmpl-abc","object":"chat.completion.chunk","created":1,"model":"gpt-4o-mini","system_fingerprint":"fp","choices":[{"index":0,"delta":{{delta}},"logprobs":null,"finish_reason":{{finishReason}}}]}""";

    private static ResponseFacts Scan(string json, bool captureModel, out bool hasChoices)
    {
        Assert.True(OpenAiResponseScanner.TryScan(Encoding.UTF8.GetBytes(json), captureModel, out var facts, out hasChoices));
        return facts;
    }
}
