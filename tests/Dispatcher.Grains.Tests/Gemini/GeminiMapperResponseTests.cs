using System.Text;
using System.Text.Json.Nodes;
using Dispatcher.Providers;
using Dispatcher.Providers.Gemini;
using Xunit;

namespace Dispatcher.Grains.Tests.Gemini;

public sealed class GeminiMapperResponseTests
{
    private const long Created = 1_767_225_600;

    [Fact]
    public void WriteCompletion_TextAnswer_IsAnOpenAiChatCompletion()
    {
        var (json, facts) = Translate("response-text.json");

        Assert.Equal("chatcmpl-Ti3kaI_UKbnznsEPx4ne8Ao", (string?)json["id"]);
        Assert.Equal("chat.completion", (string?)json["object"]);
        Assert.Equal(Created, (long?)json["created"]);
        Assert.Equal("gemini-2.5-flash", (string?)json["model"]);
        var choice = json["choices"]![0]!;
        Assert.Equal(0, (int?)choice["index"]);
        Assert.Equal("assistant", (string?)choice["message"]!["role"]);
        Assert.StartsWith("AI learns patterns from data", (string?)choice["message"]!["content"], StringComparison.Ordinal);
        Assert.Null(choice["message"]!["tool_calls"]);
        Assert.Equal("stop", (string?)choice["finish_reason"]);
        Assert.True(facts.HasOutput);
        Assert.False(facts.HasToolCalls);
        Assert.Equal(FinishReasons.Stop, facts.FinishReason);
        Assert.Equal("gemini-2.5-flash", facts.Model);
        Assert.Equal("chatcmpl-Ti3kaI_UKbnznsEPx4ne8Ao", facts.Id);
    }

    [Fact]
    public void WriteCompletion_ThinkingModel_CountsThoughtsAsReasoningOutput()
    {
        var (json, facts) = Translate("response-text.json");

        // promptTokenCount 4, candidatesTokenCount 36, thoughtsTokenCount 1032: thinking is billed as output.
        Assert.Equal(new TokenUsage(4, 1068, 0, 1032), facts.Usage);
        Assert.Equal(4, (int?)json["usage"]!["prompt_tokens"]);
        Assert.Equal(1068, (int?)json["usage"]!["completion_tokens"]);
        Assert.Equal(1072, (int?)json["usage"]!["total_tokens"]);
        Assert.Equal(1032, (int?)json["usage"]!["completion_tokens_details"]!["reasoning_tokens"]);
        Assert.Equal(0, (int?)json["usage"]!["prompt_tokens_details"]!["cached_tokens"]);
    }

    [Fact]
    public void WriteCompletion_CachedPromptAndThoughtParts_ReportsCacheAndHidesThoughts()
    {
        var (json, facts) = Translate("response-thinking-cached.json");

        Assert.Equal("9.9 is larger than 9.11.", (string?)json["choices"]![0]!["message"]!["content"]);
        Assert.Equal(new TokenUsage(4096, 261, 3072, 250), facts.Usage);
        Assert.Equal(3072, (int?)json["usage"]!["prompt_tokens_details"]!["cached_tokens"]);
        Assert.Equal(4357, (int?)json["usage"]!["total_tokens"]);
    }

    [Fact]
    public void WriteCompletion_FunctionCall_IsAToolCallWithJsonArguments()
    {
        var (json, facts) = Translate("response-function-call.json");

        var message = json["choices"]![0]!["message"]!;
        Assert.Null((string?)message["content"]);
        var call = message["tool_calls"]![0]!;
        Assert.Matches("^call_[0-9a-f]{24}$", (string?)call["id"]);
        Assert.Equal("function", (string?)call["type"]);
        Assert.Equal("set_light_values", (string?)call["function"]!["name"]);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"brightness":25,"color_temp":"warm"}"""), JsonNode.Parse((string)call["function"]!["arguments"]!)));
        Assert.Equal("tool_calls", (string?)json["choices"]![0]!["finish_reason"]);
        Assert.True(facts.HasOutput);
        Assert.True(facts.HasToolCalls);
        Assert.Equal(FinishReasons.ToolCalls, facts.FinishReason);
    }

    [Fact]
    public void WriteCompletion_ParallelCallsAfterText_KeepsTextAndEveryCallWithDistinctIds()
    {
        var (json, _) = Translate("response-parallel-calls-with-text.json");

        var message = json["choices"]![0]!["message"]!;
        Assert.Equal("Let me turn on the disco ball, start the music and dim the lights.", (string?)message["content"]);
        var calls = message["tool_calls"]!.AsArray();
        Assert.Equal(["power_disco_ball", "start_music", "dim_lights"], calls.Select(c => (string)c!["function"]!["name"]!));
        Assert.Equal(3, calls.Select(c => (string?)c!["id"]).Distinct().Count());
    }

    [Fact]
    public void WriteCompletion_SafetyStopWithoutContent_IsContentFilterFinish()
    {
        var (json, facts) = Translate("response-safety-finish.json");

        Assert.Null((string?)json["choices"]![0]!["message"]!["content"]);
        Assert.Equal("content_filter", (string?)json["choices"]![0]!["finish_reason"]);
        Assert.False(facts.HasOutput);
        Assert.Equal(FinishReasons.ContentFilter, facts.FinishReason);
        Assert.Equal(new TokenUsage(14, 0, 0, 0), facts.Usage);
    }

    [Fact]
    public void WriteCompletion_TwoCandidates_TwoChoicesWithTheirOwnFinishReasons()
    {
        var (json, facts) = Translate("response-max-tokens-two-candidates.json", requestedModel: "gemini-2.0-flash-001");

        var choices = json["choices"]!.AsArray();
        Assert.Equal(2, choices.Count);
        Assert.Equal("length", (string?)choices[0]!["finish_reason"]);
        Assert.Equal(1, (int?)choices[1]!["index"]);
        Assert.Equal("stop", (string?)choices[1]!["finish_reason"]);
        Assert.Equal(FinishReasons.Length, facts.FinishReason);
        Assert.Equal("gemini-2.0-flash", (string?)json["model"]);

        // No responseId: the answer still gets an id of OpenAI's shape.
        Assert.Matches("^chatcmpl-[0-9a-f]{32}$", (string?)json["id"]);
    }

    [Fact]
    public void TryRead_PromptBlocked_ReportsBlockReasonAndNoCandidates()
    {
        Assert.True(GeminiAnswer.TryRead(GeminiFixtures.Bytes("response-prompt-blocked.json"), out var answer));

        Assert.Equal("SAFETY", answer.BlockReason);
        Assert.Empty(answer.Candidates);
        Assert.Equal(new TokenUsage(9, 0, 0, 0), answer.Usage);
    }

    [Theory]
    [InlineData("""{"candidates":{"content":"x"}}""")]
    [InlineData("""{"candidates":[{"content":{"parts":"text"}}]}""")]
    [InlineData("""{"candidates":[{"content":{"parts":[{"functionCall":{"args":{}}}]}}]}""")]
    [InlineData("""[{"candidates":[]}]""")]
    [InlineData("""{"candidates":[{"content":{"parts":[{"text":"Hel""")]
    public void TryRead_NotAGenerateContentResponse_IsRefused(string body)
    {
        Assert.False(GeminiAnswer.TryRead(Encoding.UTF8.GetBytes(body), out _));
    }

    [Theory]
    [InlineData("STOP", false, "stop")]
    [InlineData("STOP", true, "tool_calls")]
    [InlineData("MAX_TOKENS", true, "length")]
    [InlineData("SAFETY", false, "content_filter")]
    [InlineData("RECITATION", false, "content_filter")]
    [InlineData("BLOCKLIST", false, "content_filter")]
    [InlineData("PROHIBITED_CONTENT", false, "content_filter")]
    [InlineData("SPII", false, "content_filter")]
    [InlineData("MALFORMED_FUNCTION_CALL", false, "stop")]
    [InlineData("OTHER", false, "stop")]
    [InlineData("FINISH_REASON_UNSPECIFIED", false, null)]
    [InlineData(null, false, null)]
    public void FinishReason_GeminiReason_IsOneOfOpenAisValues(string? gemini, bool calledFunctions, string? expected)
    {
        Assert.Equal(expected, GeminiMapper.FinishReason(gemini, calledFunctions));
    }

    private static (JsonNode Json, ResponseFacts Facts) Translate(string fixture, string requestedModel = "gemini-requested")
    {
        Assert.True(GeminiAnswer.TryRead(GeminiFixtures.Bytes(fixture), out var answer));
        using var output = new PooledBuffer();
        var facts = GeminiMapper.WriteCompletion(answer, GeminiMapper.CompletionId(answer.ResponseId), Created, answer.ModelVersion ?? requestedModel, output);
        return (JsonNode.Parse(Encoding.UTF8.GetString(output.WrittenSpan))!, facts);
    }
}
