using System.Text.Json.Nodes;
using Dispatcher.Providers;
using Dispatcher.Providers.Gemini;
using Xunit;

namespace Dispatcher.Grains.Tests.Gemini;

public sealed class GeminiMapperRequestTests
{
    private const string Hello = """{"model":"m","messages":[{"role":"user","content":"Hello"}]""";

    private const string WeatherTool =
        "\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"get_weather\",\"parameters\":{\"type\":\"object\",\"properties\":{\"city\":{\"type\":\"string\"}}}}}]";

    [Fact]
    public void WriteRequest_RecordedConversation_MatchesGeminiRequestFixture()
    {
        var body = GeminiRequests.Map(GeminiFixtures.Text("openai-request-conversation.json"));

        var expected = GeminiFixtures.Json("gemini-request-conversation.json");
        Assert.True(JsonNode.DeepEquals(expected, body), $"expected {expected.ToJsonString()}\nactual   {body.ToJsonString()}");
    }

    [Theory]
    [InlineData("gemini-3-pro-preview", true)]
    [InlineData("models/gemini-3-flash-preview", true)]
    [InlineData("gemini-flash-latest", true)]
    [InlineData("gemini-2.5-flash", false)]
    [InlineData("gemini-2.0-flash", false)]
    [InlineData("gemma-3-27b-it", false)]
    public void WriteRequest_ReplayedFunctionCall_CarriesSkipSignatureOnlyWhereRequired(string model, bool carriesSignature)
    {
        var body = GeminiRequests.Map("""
            {"model":"m","messages":[
              {"role":"user","content":"Weather in Paris?"},
              {"role":"assistant","content":null,"tool_calls":[{"id":"call_1","type":"function","function":{"name":"get_weather","arguments":"{\"city\":\"Paris\"}"}}]},
              {"role":"tool","tool_call_id":"call_1","content":"18 degrees"}]}
            """, model);

        var call = body["contents"]![1]!["parts"]![0]!;
        Assert.Equal("get_weather", (string?)call["functionCall"]!["name"]);
        Assert.Equal(carriesSignature ? GeminiMapper.SkipSignature : null, (string?)call["thoughtSignature"]);
        Assert.Null(body["contents"]![2]!["parts"]![0]!["thoughtSignature"]);
    }

    [Theory]
    [InlineData("\"auto\"", "AUTO", null)]
    [InlineData("\"none\"", "NONE", null)]
    [InlineData("\"required\"", "ANY", null)]
    [InlineData("""{"type":"function","function":{"name":"get_weather"}}""", "ANY", "get_weather")]
    [InlineData("""{"type":"allowed_tools","allowed_tools":{"mode":"required","tools":[{"type":"function","function":{"name":"get_weather"}}]}}""", "ANY", "get_weather")]
    public void WriteRequest_ToolChoice_BecomesFunctionCallingConfig(string toolChoice, string mode, string? allowed)
    {
        var body = GeminiRequests.Map(Hello + "," + WeatherTool + ",\"tool_choice\":" + toolChoice + "}");

        var config = body["toolConfig"]!["functionCallingConfig"]!;
        Assert.Equal(mode, (string?)config["mode"]);
        Assert.Equal(allowed, (string?)config["allowedFunctionNames"]?[0]);
    }

    [Fact]
    public void WriteRequest_NoTools_SendsNeitherToolsNorToolConfig()
    {
        var body = GeminiRequests.Map(Hello + ",\"tool_choice\":\"auto\"}");

        Assert.False(body.ContainsKey("tools"));
        Assert.False(body.ContainsKey("toolConfig"));
        Assert.False(body.ContainsKey("generationConfig"));
    }

    [Fact]
    public void WriteRequest_LegacyFunctions_AreDeclaredAndForced()
    {
        var body = GeminiRequests.Map(Hello + ""","functions":[{"name":"lookup","parameters":{"type":"object","properties":{"q":{"type":"string"}}}}],"function_call":{"name":"lookup"}}""");

        Assert.Equal("lookup", (string?)body["tools"]![0]!["functionDeclarations"]![0]!["name"]);
        Assert.Equal("ANY", (string?)body["toolConfig"]!["functionCallingConfig"]!["mode"]);
        Assert.Equal("lookup", (string?)body["toolConfig"]!["functionCallingConfig"]!["allowedFunctionNames"]![0]);
    }

    [Fact]
    public void WriteRequest_JsonObject_AsksForJsonWithoutSchema()
    {
        var body = GeminiRequests.Map(Hello + ""","response_format":{"type":"json_object"}}""");

        Assert.Equal("application/json", (string?)body["generationConfig"]!["responseMimeType"]);
        Assert.Null(body["generationConfig"]!["responseSchema"]);
    }

    [Fact]
    public void WriteRequest_JsonSchema_SendsSchemaInGeminisSubset()
    {
        var body = GeminiRequests.Map(Hello + """
            ,"response_format":{"type":"json_schema","json_schema":{"name":"recipe","strict":true,"schema":{
              "$schema":"https://json-schema.org/draft/2020-12/schema","type":"object","additionalProperties":false,
              "$defs":{"Ingredient":{"type":"object","additionalProperties":false,"properties":{"name":{"type":"string"},"grams":{"type":"number","exclusiveMinimum":0}},"required":["name","grams"]}},
              "properties":{
                "title":{"type":"string","description":"Recipe name"},
                "kind":{"const":"recipe"},
                "notes":{"anyOf":[{"type":"string"},{"type":"null"}]},
                "ingredients":{"type":"array","items":{"$ref":"#/$defs/Ingredient"},"minItems":1}},
              "required":["title","kind","notes","ingredients"]}}}}
            """);

        var expected = JsonNode.Parse("""
            {"type":"object","properties":{
              "title":{"type":"string","description":"Recipe name"},
              "kind":{"type":"string","enum":["recipe"]},
              "notes":{"type":"string","nullable":true},
              "ingredients":{"type":"array","minItems":1,"items":{"type":"object","properties":{"name":{"type":"string"},"grams":{"type":"number"}},"required":["name","grams"]}}},
             "required":["title","kind","notes","ingredients"]}
            """);
        var schema = body["generationConfig"]!["responseSchema"];
        Assert.True(JsonNode.DeepEquals(expected, schema), schema?.ToJsonString());
        Assert.Equal("application/json", (string?)body["generationConfig"]!["responseMimeType"]);
    }

    [Theory]
    [InlineData("""{"type":"object","properties":{"pair":{"type":"array","items":[{"type":"string"},{"type":"integer"}]}}}""")]
    [InlineData("""{"type":"object","properties":{"size":{"type":"integer","enum":[1,2,3]}}}""")]
    [InlineData("""{"$ref":"#/$defs/Node","$defs":{"Node":{"type":"object","properties":{"child":{"$ref":"#/$defs/Node"}}}}}""")]
    public void WriteRequest_JsonSchemaGeminiCannotState_AsksForJsonWithoutLooseSchema(string schema)
    {
        var body = GeminiRequests.Map(Hello + ""","response_format":{"type":"json_schema","json_schema":{"name":"x","schema":""" + schema + "}}}");

        Assert.Equal("application/json", (string?)body["generationConfig"]!["responseMimeType"]);
        Assert.Null(body["generationConfig"]!["responseSchema"]);
    }

    [Theory]
    [InlineData("gemini-3-flash-preview", "low", "low", null)]
    [InlineData("gemini-3-pro-preview", "medium", "high", null)]
    [InlineData("gemini-2.5-flash", "none", null, 0)]
    [InlineData("gemini-2.5-flash", "medium", null, 8192)]
    [InlineData("gemini-2.5-pro", "high", null, 24576)]
    [InlineData("gemini-2.5-pro", "none", null, null)]
    [InlineData("gemini-2.0-flash", "high", null, null)]
    public void WriteRequest_ReasoningEffort_BecomesThinkingConfig(string model, string effort, string? level, int? budget)
    {
        var body = GeminiRequests.Map(Hello + ",\"reasoning_effort\":\"" + effort + "\"}", model);

        var thinking = body["generationConfig"]?["thinkingConfig"];
        Assert.Equal(level, (string?)thinking?["thinkingLevel"]);
        Assert.Equal(budget, (int?)thinking?["thinkingBudget"]);
    }

    [Fact]
    public void WriteRequest_OnlyInstructions_SendsThemAsTheUsersTurn()
    {
        var body = GeminiRequests.Map("""{"model":"m","messages":[{"role":"system","content":"Say hello."}]}""");

        Assert.False(body.ContainsKey("systemInstruction"));
        Assert.Equal("user", (string?)body["contents"]![0]!["role"]);
        Assert.Equal("Say hello.", (string?)body["contents"]![0]!["parts"]![0]!["text"]);
    }

    [Fact]
    public void WriteRequest_AudioAndPdfParts_BecomeInlineData()
    {
        var body = GeminiRequests.Map("""
            {"model":"m","messages":[{"role":"user","content":[
              {"type":"input_audio","input_audio":{"data":"SUQz","format":"mp3"}},
              {"type":"file","file":{"filename":"a.pdf","file_data":"data:application/pdf;base64,JVBERi0="}},
              {"type":"image_url","image_url":{"url":"https://example.com/a"}}]}]}
            """);

        var parts = body["contents"]![0]!["parts"]!;
        Assert.Equal("audio/mp3", (string?)parts[0]!["inlineData"]!["mimeType"]);
        Assert.Equal("SUQz", (string?)parts[0]!["inlineData"]!["data"]);
        Assert.Equal("application/pdf", (string?)parts[1]!["inlineData"]!["mimeType"]);
        Assert.Equal("JVBERi0=", (string?)parts[1]!["inlineData"]!["data"]);
        Assert.Equal("https://example.com/a", (string?)parts[2]!["fileData"]!["fileUri"]);
        Assert.Null(parts[2]!["fileData"]!["mimeType"]);
    }

    [Theory]
    [InlineData("", "{}")]
    [InlineData("not json", """{"arguments":"not json"}""")]
    [InlineData("[1,2]", """{"arguments":"[1,2]"}""")]
    [InlineData("""{"a":1}""", """{"a":1}""")]
    public void WriteRequest_ToolCallArguments_AlwaysBecomeAnObject(string arguments, string expectedArgs)
    {
        var call = new JsonObject
        {
            ["id"] = "call_9",
            ["type"] = "function",
            ["function"] = new JsonObject { ["name"] = "f", ["arguments"] = arguments },
        };
        var body = GeminiRequests.Map("""{"model":"m","messages":[{"role":"user","content":"Hi"},{"role":"assistant","tool_calls":[""" + call.ToJsonString() + "]}]}");

        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(expectedArgs), body["contents"]![1]!["parts"]![0]!["functionCall"]!["args"]));
    }

    [Fact]
    public void WriteRequest_ToolResultForUnknownCall_IsInvalidRequest()
    {
        var failure = GeminiRequests.Refuse("""{"model":"m","messages":[{"role":"user","content":"Hi"},{"role":"tool","tool_call_id":"call_x","content":"42"}]}""");

        Assert.Equal(FailureKind.InvalidRequest, failure.Kind);
        Assert.Contains("messages[1].tool_call_id", failure.Detail, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"model":"m","messages":[{"role":"user","content":[{"type":"file","file":{"file_id":"file-abc"}}]}]}""")]
    [InlineData("""{"model":"m","messages":[{"role":"user","content":[{"type":"video_url","video_url":{"url":"https://x/v.mp4"}}]}]}""")]
    [InlineData("""{"model":"m","messages":[{"role":"user","content":"Hi"}],"tools":[{"type":"custom","custom":{"name":"x"}}]}""")]
    public void WriteRequest_FeatureGeminiCannotTake_IsCapabilityMismatch(string body)
    {
        Assert.Equal(FailureKind.CapabilityMismatch, GeminiRequests.Refuse(body).Kind);
    }

    [Theory]
    [InlineData("""{"model":"m","messages":[{"role":"robot","content":"Hi"}]}""")]
    [InlineData("""{"model":"m","messages":[{"role":"assistant","tool_calls":[{"id":"c","type":"function"}]}]}""")]
    [InlineData("""{"model":"m","messages":[{"role":"user","content":42}]}""")]
    [InlineData("""{"model":"m","messages":[{"role":"user","content":[{"type":"image_url","image_url":{"url":"ftp://x/y.png"}}]}]}""")]
    [InlineData("""{"model":"m","messages":[{"role":"user","content":[{"type":"image_url","image_url":{"url":"data:image/png,rawbytes"}}]}]}""")]
    public void WriteRequest_MalformedMessages_IsInvalidRequest(string body)
    {
        Assert.Equal(FailureKind.InvalidRequest, GeminiRequests.Refuse(body).Kind);
    }

    [Theory]
    [InlineData("gemini-2.5-flash", true, 2)]
    [InlineData("models/gemini-3-pro-preview", true, 3)]
    [InlineData("gemini-10-ultra", true, 10)]
    [InlineData("gemini-flash-latest", true, null)]
    [InlineData("gemma-3-27b-it", false, null)]
    public void Major_ModelName_ReadsTheFamilyVersion(string model, bool isGemini, int? major)
    {
        Assert.Equal(major, GeminiModelFamily.Major(model, out var gemini));
        Assert.Equal(isGemini, gemini);
    }
}
