using System.Text;
using System.Text.Json.Nodes;
using Dispatcher.Providers;
using Dispatcher.Providers.Anthropic;
using Xunit;

namespace Dispatcher.Grains.Tests.Anthropic;

public sealed class AnthropicMapperRequestTests
{
    [Fact]
    public void WriteRequest_FullConversation_MatchesRecordedAnthropicBody()
    {
        var call = AnthropicFixtures.Call(AnthropicFixtures.Read("openai-request-conversation.json"));

        var body = Write(call, stream: true);

        AnthropicFixtures.AssertJsonEqual(AnthropicFixtures.Read("anthropic-request-conversation.json"), body);
    }

    [Fact]
    public void WriteRequest_NoOutputLimit_SendsDefaultMaxTokensAndNoStreamFlag()
    {
        var body = Parse(Write(AnthropicFixtures.Call("""{"model":"m","messages":[{"role":"user","content":"Hi"}],"stream":true}"""), stream: false, defaultMaxTokens: 4096));

        Assert.Equal(4096, body["max_tokens"]!.GetValue<int>());
        Assert.Equal(AnthropicFixtures.Model, body["model"]!.GetValue<string>());
        Assert.Null(body["stream"]);
        Assert.Null(body["system"]);
        AnthropicFixtures.AssertJsonEqual("""[{"role":"user","content":[{"type":"text","text":"Hi"}]}]""", body["messages"]!.ToJsonString());
    }

    [Theory]
    [InlineData(",\"temperature\":0.2,\"top_p\":0.9", 0.2, null)]
    [InlineData(",\"temperature\":2", 1.0, null)]
    [InlineData(",\"top_p\":0.9", null, 0.9)]
    [InlineData("", null, null)]
    public void WriteRequest_Sampling_TemperatureClampedAndTopPOnlyAlone(string sampling, double? temperature, double? topP)
    {
        var body = Parse(Write(AnthropicFixtures.Call("{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]" + sampling + "}")));

        Assert.Equal(temperature, body["temperature"]?.GetValue<double>());
        Assert.Equal(topP, body["top_p"]?.GetValue<double>());
    }

    [Fact]
    public void WriteRequest_MaxTokensOnly_UsesIt()
    {
        var body = Parse(Write(AnthropicFixtures.Call("""{"model":"m","max_tokens":77,"messages":[{"role":"user","content":"Hi"}]}""")));

        Assert.Equal(77, body["max_tokens"]!.GetValue<int>());
    }

    [Fact]
    public void WriteRequest_ConsecutiveSameRoleMessages_AreMergedIntoOneTurn()
    {
        var body = Parse(Write(AnthropicFixtures.Call("""
            {"model":"m","messages":[
              {"role":"user","content":"one"},{"role":"user","content":[{"type":"text","text":"two"}]},
              {"role":"assistant","content":"three"},{"role":"assistant","content":"four"},{"role":"user","content":"five"}]}
            """)));

        AnthropicFixtures.AssertJsonEqual("""
            [{"role":"user","content":[{"type":"text","text":"one"},{"type":"text","text":"two"}]},
             {"role":"assistant","content":[{"type":"text","text":"three"},{"type":"text","text":"four"}]},
             {"role":"user","content":[{"type":"text","text":"five"}]}]
            """, body["messages"]!.ToJsonString());
    }

    [Fact]
    public void WriteRequest_EmptyAndBlankTexts_AreLeftOut()
    {
        var body = Parse(Write(AnthropicFixtures.Call("""
            {"model":"m","messages":[{"role":"system","content":"  "},{"role":"user","content":"Hi"},
              {"role":"assistant","content":""},{"role":"user","content":[{"type":"text","text":"\n\t "},{"type":"text","text":"there"}]}],
             "stop":["", " ", "END"]}
            """)));

        Assert.Null(body["system"]);
        AnthropicFixtures.AssertJsonEqual("""[{"role":"user","content":[{"type":"text","text":"Hi"},{"type":"text","text":"there"}]}]""", body["messages"]!.ToJsonString());
        AnthropicFixtures.AssertJsonEqual("""["END"]""", body["stop_sequences"]!.ToJsonString());
    }

    [Fact]
    public void WriteRequest_FinalAssistantPrefill_LosesTrailingWhitespace()
    {
        var body = Parse(Write(AnthropicFixtures.Call("""{"model":"m","messages":[{"role":"user","content":"Hi"},{"role":"assistant","content":"Sure: \n"}]}""")));

        Assert.Equal("Sure:", body["messages"]![1]!["content"]![0]!["text"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("\"auto\"", null, """{"type":"auto"}""")]
    [InlineData("\"none\"", null, """{"type":"none"}""")]
    [InlineData("\"required\"", null, """{"type":"any"}""")]
    [InlineData("""{"type":"function","function":{"name":"get_weather"}}""", null, """{"type":"tool","name":"get_weather"}""")]
    [InlineData("""{"type":"function","function":{"name":"get_weather"}}""", "false", """{"type":"tool","name":"get_weather","disable_parallel_tool_use":true}""")]
    [InlineData(null, "false", """{"type":"auto","disable_parallel_tool_use":true}""")]
    [InlineData("\"none\"", "false", """{"type":"none"}""")]
    public void WriteRequest_ToolChoice_MapsToAnthropicsChoice(string? toolChoice, string? parallel, string expected)
    {
        var extra = (toolChoice is null ? string.Empty : ",\"tool_choice\":" + toolChoice) + (parallel is null ? string.Empty : ",\"parallel_tool_calls\":" + parallel);
        var body = Parse(Write(AnthropicFixtures.Call(
            """{"model":"m","messages":[{"role":"user","content":"Hi"}],"tools":[{"type":"function","function":{"name":"get_weather"}}]""" + extra + "}")));

        AnthropicFixtures.AssertJsonEqual(expected, body["tool_choice"]!.ToJsonString());
        AnthropicFixtures.AssertJsonEqual("""[{"name":"get_weather","input_schema":{"type":"object","properties":{}}}]""", body["tools"]!.ToJsonString());
    }

    [Fact]
    public void WriteRequest_ToolHistoryWithoutTools_DeclaresThemAndForbidsCalls()
    {
        var body = Parse(Write(AnthropicFixtures.Call("""
            {"model":"m","messages":[{"role":"user","content":"Weather?"},
              {"role":"assistant","tool_calls":[{"id":"call_1","type":"function","function":{"name":"get_weather","arguments":""}}]},
              {"role":"tool","tool_call_id":"call_1","content":"sunny"}]}
            """)));

        AnthropicFixtures.AssertJsonEqual("""[{"name":"get_weather","input_schema":{"type":"object","properties":{}}}]""", body["tools"]!.ToJsonString());
        AnthropicFixtures.AssertJsonEqual("""{"type":"none"}""", body["tool_choice"]!.ToJsonString());
        AnthropicFixtures.AssertJsonEqual("""{}""", body["messages"]![1]!["content"]![0]!["input"]!.ToJsonString());
    }

    [Fact]
    public void WriteRequest_PdfFile_BecomesDocumentBlock()
    {
        var body = Parse(Write(AnthropicFixtures.Call("""
            {"model":"m","messages":[{"role":"user","content":[{"type":"file","file":{"filename":"a.pdf","file_data":"data:application/pdf;base64,JVBERi0xLjQK"}},{"type":"text","text":"Summarize"}]}]}
            """)));

        AnthropicFixtures.AssertJsonEqual(
            """{"type":"document","source":{"type":"base64","media_type":"application/pdf","data":"JVBERi0xLjQK"}}""",
            body["messages"]![0]!["content"]![0]!.ToJsonString());
    }

    [Fact]
    public void WriteRequest_NonAsciiAndEscapes_SurviveUnchanged()
    {
        var body = Parse(Write(AnthropicFixtures.Call("""{"model":"m","messages":[{"role":"user","content":"h\u00e9llo \"w\" 東京 \ud83d\ude00\n"}]}""")));

        Assert.Equal("héllo \"w\" 東京 😀\n", body["messages"]![0]!["content"]![0]!["text"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("""{"model":"m","n":2,"messages":[{"role":"user","content":"Hi"}]}""", "n > 1")]
    [InlineData("""{"model":"m","response_format":{"type":"json_schema","json_schema":{"name":"x","schema":{}}},"messages":[{"role":"user","content":"Hi"}]}""", "json_schema")]
    [InlineData("""{"model":"m","modalities":["text","audio"],"messages":[{"role":"user","content":"Hi"}]}""", "audio")]
    [InlineData("""{"model":"m","messages":[{"role":"user","content":[{"type":"input_audio","input_audio":{"data":"AAA","format":"wav"}}]}]}""", "audio")]
    [InlineData("""{"model":"m","messages":[{"role":"user","content":[{"type":"file","file":{"file_id":"file-1"}}]}]}""", "file")]
    [InlineData("""{"model":"m","functions":[{"name":"f"}],"messages":[{"role":"user","content":"Hi"}]}""", "legacy functions")]
    [InlineData("""{"model":"m","messages":[{"role":"system","content":"Only a system prompt."}]}""", "without user or assistant")]
    [InlineData("""{"model":"m","messages":[{"role":"user","content":"Hi"},{"role":"assistant","tool_calls":[{"id":"c","type":"function","function":{"name":"f","arguments":"[1,2]"}}]}]}""", "arguments")]
    [InlineData("""{"model":"m","tools":[{"type":"custom","custom":{"name":"x"}}],"messages":[{"role":"user","content":"Hi"}]}""", "not a function")]
    public void WriteRequest_FeatureAnthropicCannotCarry_IsACapabilityMismatch(string openAiBody, string detailPart)
    {
        var failure = AnthropicMapper.WriteRequest(AnthropicFixtures.Call(openAiBody), stream: false, 4096, new PooledBuffer());

        Assert.NotNull(failure);
        Assert.Equal(FailureKind.CapabilityMismatch, failure.Kind);
        Assert.Contains(detailPart, failure.Detail, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"model":"m","messages":[{"role":"wizard","content":"Hi"}]}""")]
    [InlineData("""{"model":"m","messages":[{"role":"tool","content":"no id"}]}""")]
    [InlineData("""{"model":"m","messages":[{"role":"user","content":"Hi"}],"tools":[{"type":"function","function":{}}]}""")]
    public void WriteRequest_MalformedMessage_IsAnInvalidRequest(string openAiBody)
    {
        var failure = AnthropicMapper.WriteRequest(AnthropicFixtures.Call(openAiBody), stream: false, 4096, new PooledBuffer());

        Assert.Equal(FailureKind.InvalidRequest, failure?.Kind);
    }

    private static string Write(UpstreamCall call, bool stream = false, int defaultMaxTokens = 4096)
    {
        using var output = new PooledBuffer();
        var failure = AnthropicMapper.WriteRequest(call, stream, defaultMaxTokens, output);
        Assert.Null(failure);
        return Encoding.UTF8.GetString(output.WrittenSpan);
    }

    private static JsonNode Parse(string json) => JsonNode.Parse(json)!;
}
