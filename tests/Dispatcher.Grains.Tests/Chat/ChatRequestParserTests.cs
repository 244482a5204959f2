using System.Text;
using Xunit;

namespace Dispatcher.Grains.Tests.Chat;

public sealed class ChatRequestParserTests
{
    private const string Messages = "\"messages\":[{\"role\":\"user\",\"content\":\"hello\"}]";

    [Fact]
    public void Parse_MinimalBody_CollectsModelAndDefaults()
    {
        using var request = ChatRequests.Parse($$"""{"model":"gpt-4o",{{Messages}}}""");

        Assert.Equal("gpt-4o", request.Model);
        Assert.Null(request.Models);
        Assert.False(request.Stream);
        Assert.False(request.ClientWantsUsage);
        Assert.Null(request.MaxOutputTokens);
        Assert.False(request.HasTools);
        Assert.Null(request.ResponseFormatType);
    }

    [Fact]
    public void Parse_ValidBody_KeepsBodyBytesExactly()
    {
        var json = $$"""{ "model" : "a",{{Messages}}, "temperature": 0.25 }""";

        using var request = ChatRequests.Parse(json);

        Assert.Equal(json, Encoding.UTF8.GetString(request.Body.Span));
    }

    [Fact]
    public void Parse_ModelsOnly_IsAcceptedWithoutModel()
    {
        using var request = ChatRequests.Parse($$"""{"models":["a","b"],{{Messages}}}""");

        Assert.Null(request.Model);
        Assert.Equal(["a", "b"], request.Models);
    }

    [Fact]
    public void Parse_ModelAndModels_CollectsBoth()
    {
        using var request = ChatRequests.Parse($$"""{"model":"r",{{Messages}},"models":["a"]}""");

        Assert.Equal("r", request.Model);
        Assert.Equal(["a"], request.Models);
    }

    [Fact]
    public void Parse_StreamWithIncludeUsage_SetsBoth()
    {
        using var request = ChatRequests.Parse(Body("\"stream\":true,\"stream_options\":{\"include_usage\":true}"));

        Assert.True(request.Stream);
        Assert.True(request.ClientWantsUsage);
    }

    [Fact]
    public void Parse_StreamWithoutIncludeUsage_ClientDoesNotWantUsage()
    {
        using var request = ChatRequests.Parse(Body("\"stream\":true,\"stream_options\":{\"include_usage\":false}"));

        Assert.True(request.Stream);
        Assert.False(request.ClientWantsUsage);
    }

    [Theory]
    [InlineData("\"max_tokens\":100", 100)]
    [InlineData("\"max_completion_tokens\":200", 200)]
    [InlineData("\"max_tokens\":100,\"max_completion_tokens\":200", 200)]
    [InlineData("\"max_completion_tokens\":200,\"max_tokens\":100", 200)]
    [InlineData("\"max_tokens\":null", null)]
    public void Parse_OutputTokenLimits_PrefersMaxCompletionTokens(string members, int? expected)
    {
        using var request = ChatRequests.Parse($$"""{"model":"a",{{Messages}},{{members}}}""");

        Assert.Equal(expected, request.MaxOutputTokens);
    }

    [Fact]
    public void Parse_Tools_SetsHasTools()
    {
        using var request = ChatRequests.Parse(
            Body("\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"f\",\"parameters\":{\"type\":\"object\"}}}]"));

        Assert.True(request.HasTools);
    }

    [Fact]
    public void Parse_ToolsNull_HasNoTools()
    {
        using var request = ChatRequests.Parse($$"""{"model":"a",{{Messages}},"tools":null}""");

        Assert.False(request.HasTools);
    }

    [Theory]
    [InlineData("""{"type":"json_object"}""", "json_object")]
    [InlineData("""{"type":"json_schema","json_schema":{"name":"x","schema":{"type":"object"}}}""", "json_schema")]
    [InlineData("""{"json_schema":{"name":"x"},"type":"json_schema"}""", "json_schema")]
    [InlineData("null", null)]
    public void Parse_ResponseFormat_CollectsType(string value, string? expected)
    {
        using var request = ChatRequests.Parse($$"""{"model":"a",{{Messages}},"response_format":{{value}}}""");

        Assert.Equal(expected, request.ResponseFormatType);
    }

    [Fact]
    public void Parse_MessageText_CountsUtf8BytesOfStringValues()
    {
        // "user" (4) + "héllo" (6 UTF-8 bytes) + "assistant" (9) + "ok" (2); property names are not text.
        using var request = ChatRequests.Parse(
            """{"model":"a","messages":[{"role":"user","content":"héllo"},{"role":"assistant","content":"ok"}]}""");

        Assert.Equal(21, request.MessageTextBytes);
        Assert.Equal((21 / 3) + 8, request.EstimatedPromptTokens);
    }

    [Fact]
    public void Parse_ContentParts_CountsNestedText()
    {
        using var request = ChatRequests.Parse(
            """{"model":"a","messages":[{"role":"user","content":[{"type":"text","text":"abc"}]}]}""");

        // "user" + "text" + "abc"
        Assert.Equal(11, request.MessageTextBytes);
    }

    [Fact]
    public void Parse_TrailingWhitespace_Accepted()
    {
        using var request = ChatRequests.Parse("{\"model\":\"a\",\"messages\":[{}]} \r\n\t");

        Assert.Equal("a", request.Model);
    }

    [Fact]
    public void Parse_DuplicateKeyInNestedObject_Accepted()
    {
        using var request = ChatRequests.Parse("""{"model":"a","messages":[{"role":"user","role":"user"}],"metadata":{"k":1,"k":2}}""");

        Assert.Equal("a", request.Model);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(128)]
    public void Parse_ChoicesInRange_Accepted(int n)
    {
        using var request = ChatRequests.Parse($$"""{"model":"a","messages":[{}],"n":{{n}}}""");

        Assert.Equal("a", request.Model);
    }

    [Fact]
    public void Parse_NestingWithinLimit_Accepted()
    {
        // The top-level object and the metadata value take two levels: 62 more arrays reach depth 64.
        var json = "{\"model\":\"a\",\"messages\":[{}],\"metadata\":" + new string('[', 62) + new string(']', 62) + "}";

        using var request = ChatRequests.Parse(json);

        Assert.Equal("a", request.Model);
    }

    [Fact]
    public void Parse_UnknownFieldsOfAnyShape_Accepted()
    {
        using var request = ChatRequests.Parse(
            """{"user":"u1","model":"a","logit_bias":{"50256":-100},"seed":null,"stop":["\n"],"messages":[{}],"x":[{"y":[true]}]}""");

        Assert.Equal("a", request.Model);
    }

    [Fact]
    public void Dispose_Twice_ReturnsBufferOnce()
    {
        var request = ChatRequests.Parse(Body("\"n\":1"));

        request.Dispose();
        request.Dispose();

        Assert.Equal("a", request.Model);
    }

    private static string Body(string members) => "{\"model\":\"a\"," + Messages + "," + members + "}";
}
