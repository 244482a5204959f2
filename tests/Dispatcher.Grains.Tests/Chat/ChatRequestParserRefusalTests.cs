using Xunit;

namespace Dispatcher.Grains.Tests.Chat;

public sealed class ChatRequestParserRefusalTests
{
    [Theory]
    [InlineData("[]")]
    [InlineData("\"text\"")]
    [InlineData("42")]
    public void Parse_NotAnObject_RefusedWithoutParam(string json)
    {
        var error = ChatRequests.Refuse(json);

        Assert.Equal(400, error.StatusCode);
        Assert.Null(error.Param);
    }

    [Theory]
    [InlineData("")]
    [InlineData("{\"model\":\"a\",")]
    [InlineData("{\"model\":'a'}")]
    [InlineData("{\"model\":\"a\" \"messages\":[]}")]
    public void Parse_InvalidJson_RefusedWithoutParam(string json)
    {
        var error = ChatRequests.Refuse(json);

        Assert.Equal(400, error.StatusCode);
        Assert.Null(error.Param);
    }

    [Theory]
    [InlineData("{\"model\":\"a\",\"messages\":[{}]} {}")]
    [InlineData("{\"model\":\"a\",\"messages\":[{}]}x")]
    [InlineData("{\"model\":\"a\",\"messages\":[{}]}}")]
    public void Parse_TrailingData_Refused(string json)
    {
        var error = ChatRequests.Refuse(json);

        Assert.Equal(400, error.StatusCode);
        Assert.Null(error.Param);
    }

    [Theory]
    [InlineData("""{"model":"a","model":"b","messages":[{}]}""", "model")]
    [InlineData("""{"model":"a","temperature":1,"temperature":0,"messages":[{}]}""", "temperature")]
    [InlineData("""{"model":"a","\u006dodel":"b","messages":[{}]}""", "model")]
    [InlineData("""{"m\u006fdel":"a","\u006dodel":"b","messages":[{}]}""", "model")]
    public void Parse_DuplicateTopLevelKey_RefusedWithItsName(string json, string param)
    {
        var error = ChatRequests.Refuse(json);

        Assert.Equal(400, error.StatusCode);
        Assert.Equal(param, error.Param);
    }

    [Fact]
    public void Parse_EscapedKeyBeforePlainDuplicate_Refused()
    {
        var error = ChatRequests.Refuse("""{"\u006dodel":"a","model":"b","messages":[{}]}""");

        Assert.Equal("model", error.Param);
    }

    [Theory]
    [InlineData("""{"model":"","messages":[{}]}""", "model")]
    [InlineData("""{"model":5,"messages":[{}]}""", "model")]
    [InlineData("""{"model":null,"messages":[{}]}""", "model")]
    [InlineData("""{"models":[],"messages":[{}]}""", "models")]
    [InlineData("""{"models":"a","messages":[{}]}""", "models")]
    [InlineData("""{"models":["a",""],"messages":[{}]}""", "models")]
    [InlineData("""{"models":["a",1],"messages":[{}]}""", "models")]
    [InlineData("""{"model":"a"}""", "messages")]
    [InlineData("""{"model":"a","messages":[]}""", "messages")]
    [InlineData("""{"model":"a","messages":{"role":"user"}}""", "messages")]
    [InlineData("""{"model":"a","messages":null}""", "messages")]
    [InlineData("""{"model":"a","messages":["hello"]}""", "messages[0]")]
    public void Parse_InvalidModelOrMessages_RefusedWithParam(string json, string param)
    {
        var error = ChatRequests.Refuse(json);

        Assert.Equal(400, error.StatusCode);
        Assert.Equal(param, error.Param);
    }

    [Theory]
    [InlineData("""{"messages":[{}]}""", "model")]
    [InlineData("""{"model":"a","messages":[{"role":"user"},[1]]}""", "messages[1]")]
    [InlineData("""{"model":"a","messages":[{}],"stream":"yes"}""", "stream")]
    [InlineData("""{"model":"a","messages":[{}],"stream":1}""", "stream")]
    [InlineData("""{"model":"a","messages":[{}],"stream_options":true}""", "stream_options")]
    [InlineData("""{"model":"a","messages":[{}],"stream_options":{"include_usage":"yes"}}""", "stream_options.include_usage")]
    [InlineData("""{"model":"a","messages":[{}],"max_tokens":0}""", "max_tokens")]
    [InlineData("""{"model":"a","messages":[{}],"max_tokens":-1}""", "max_tokens")]
    [InlineData("""{"model":"a","messages":[{}],"max_tokens":"10"}""", "max_tokens")]
    [InlineData("""{"model":"a","messages":[{}],"max_tokens":1.5}""", "max_tokens")]
    [InlineData("""{"model":"a","messages":[{}],"max_completion_tokens":0}""", "max_completion_tokens")]
    [InlineData("""{"model":"a","messages":[{}],"n":0}""", "n")]
    [InlineData("""{"model":"a","messages":[{}],"n":1000}""", "n")]
    [InlineData("""{"model":"a","messages":[{}],"n":"2"}""", "n")]
    [InlineData("""{"model":"a","messages":[{}],"tools":{}}""", "tools")]
    [InlineData("""{"model":"a","messages":[{}],"response_format":"json_object"}""", "response_format")]
    public void Parse_InvalidField_RefusedWithParam(string json, string param)
    {
        var error = ChatRequests.Refuse(json);

        Assert.Equal(400, error.StatusCode);
        Assert.Equal(param, error.Param);
    }

    [Fact]
    public void Parse_SeventeenModels_Refused()
    {
        var models = string.Join(',', Enumerable.Range(0, 17).Select(i => $"\"m{i}\""));

        var error = ChatRequests.Refuse($$"""{"models":[{{models}}],"messages":[{}]}""");

        Assert.Equal("models", error.Param);
    }

    [Theory]
    [InlineData("metadata")]
    [InlineData("messages")]
    public void Parse_NestingDeeperThan64_Refused(string field)
    {
        var deep = new string('[', 70) + new string(']', 70);
        var json = field == "messages"
            ? "{\"model\":\"a\",\"messages\":[{\"content\":" + deep + "}]}"
            : "{\"model\":\"a\",\"metadata\":" + deep + ",\"messages\":[{}]}";

        var error = ChatRequests.Refuse(json);

        Assert.Equal(400, error.StatusCode);
        Assert.Null(error.Param);
    }

    [Fact]
    public void Parse_TooManyTopLevelFields_Refused()
    {
        var fields = string.Join(',', Enumerable.Range(0, 130).Select(i => $"\"f{i}\":{i}"));

        var error = ChatRequests.Refuse($$"""{"model":"a",{{fields}},"messages":[{}]}""");

        Assert.Equal(400, error.StatusCode);
    }
}
