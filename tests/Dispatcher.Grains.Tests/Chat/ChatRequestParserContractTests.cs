using System.Text;
using Dispatcher.Providers.Chat;
using Xunit;

namespace Dispatcher.Grains.Tests.Chat;

public sealed class ChatRequestParserContractTests
{
    private const string Messages = "\"messages\":[{\"role\":\"user\",\"content\":\"hello\"}]";

    [Fact]
    public void Parse_JsonSchemaResponseFormat_CapturesTheSchemaSlice()
    {
        using var request = ChatRequests.Parse($$$$"""
            {"model":"m",{{{{Messages}}}},"response_format":{"type":"json_schema","json_schema":{"name":"p","strict":true,
              "schema":{"type":"object","properties":{"a":{"type":"string"}}},"description":"x"}}}
            """);

        Assert.Equal("""{"type":"object","properties":{"a":{"type":"string"}}}""", Encoding.UTF8.GetString(request.ResponseSchema.Span));
    }

    [Fact]
    public void Parse_SchemaBeforeType_StillCaptured()
    {
        using var request = ChatRequests.Parse($$$$"""{"model":"m",{{{{Messages}}}},"response_format":{"json_schema":{"schema":true},"type":"json_schema"}}""");

        Assert.Equal("true", Encoding.UTF8.GetString(request.ResponseSchema.Span));
    }

    [Fact]
    public void Parse_JsonObjectFormat_HasNoSchema()
    {
        using var request = ChatRequests.Parse($$$$$"""{"model":"m",{{{{{Messages}}}}},"response_format":{"type":"json_object","json_schema":{"schema":{}}}}""");

        Assert.True(request.ResponseSchema.IsEmpty);
    }

    [Fact]
    public void Parse_Tools_CapturesEachFunctionsParameters()
    {
        using var request = ChatRequests.Parse($$$$"""
            {"model":"m",{{{{Messages}}}},"tools":[
              {"type":"function","function":{"name":"get_weather","parameters":{"type":"object","required":["city"]},"strict":true}},
              {"type":"function","function":{"description":"no parameters","name":"now"}},
              {"function":{"parameters":{"type":"object"},"name":"second"},"type":"function"}]}
            """);

        Assert.True(request.HasTools);
        var tools = request.ToolSchemas!;
        Assert.Equal(["get_weather", "second"], tools.Select(t => t.Name));
        Assert.Equal("""{"type":"object","required":["city"]}""", Encoding.UTF8.GetString(tools[0].Parameters.Span));
        Assert.Equal("""{"type":"object"}""", Encoding.UTF8.GetString(tools[1].Parameters.Span));
        Assert.True(tools[0].Strict);
        Assert.False(tools[1].Strict);
    }

    [Fact]
    public void AppendMessages_SplicesBeforeTheClosingBracket_AndParsesAgain()
    {
        using var request = ChatRequests.Parse($$$$"""{"model":"m",{{{{Messages}}}} ,"stream":true}""");

        using var repaired = ChatRequestParser.AppendMessages(request, """{"role":"user","content":"fix it"}"""u8);

        Assert.Equal("""{"model":"m","messages":[{"role":"user","content":"hello"},{"role":"user","content":"fix it"}] ,"stream":true}""",
            Encoding.UTF8.GetString(repaired.Body.Span));
        Assert.True(repaired.Stream);
        Assert.Equal("m", repaired.Model);
        Assert.True(repaired.MessageTextBytes > request.MessageTextBytes);
    }
}
