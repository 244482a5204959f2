using System.Text;
using System.Text.Json;
using Dispatcher.Providers.Chat;

using Xunit;

namespace Dispatcher.Grains.Tests.Chat;

public sealed class ContinuationRequestTests
{
    [Fact]
    public void Create_WithInstruction_AppendsPartialAnswerThenInstructionAndKeepsTheRest()
    {
        using var original = ChatRequests.Parse("""{"model":"chain","messages":[{"role":"system","content":"You are a pirate."},{"role":"user","content":"Hi"}],"stream":true,"temperature":0.2}""");

        using var continued = ContinuationRequest.Create(original, "Ahoy, \"matey\"", "Go on.");

        Assert.NotNull(continued);
        using var json = JsonDocument.Parse(continued.Body);
        var messages = json.RootElement.GetProperty("messages").EnumerateArray().ToArray();
        Assert.Equal(4, messages.Length);
        Assert.Equal("You are a pirate.", messages[0].GetProperty("content").GetString());
        Assert.Equal("assistant", messages[2].GetProperty("role").GetString());
        Assert.Equal("Ahoy, \"matey\"", messages[2].GetProperty("content").GetString());
        Assert.Equal("user", messages[3].GetProperty("role").GetString());
        Assert.Equal("Go on.", messages[3].GetProperty("content").GetString());
        Assert.Equal(0.2, json.RootElement.GetProperty("temperature").GetDouble());
        Assert.True(continued.Stream);
        Assert.Equal("chain", continued.Model);
    }

    [Fact]
    public void Create_Prefill_EndsWithTheAssistantMessage()
    {
        using var original = ChatRequests.Parse("""{"model":"m","messages":[{"role":"user","content":"Hi"}]}""");

        using var continued = ContinuationRequest.Create(original, "Hello th", null);

        using var json = JsonDocument.Parse(continued!.Body);
        var last = json.RootElement.GetProperty("messages").EnumerateArray().Last();
        Assert.Equal("assistant", last.GetProperty("role").GetString());
        Assert.Equal("Hello th", last.GetProperty("content").GetString());
        Assert.Equal(2, json.RootElement.GetProperty("messages").GetArrayLength());
    }

    [Theory]
    [InlineData(",\"n\":3", 3)]
    [InlineData(",\"n\":null", 1)]
    [InlineData("", 1)]
    public void Parse_N_IsTheNumberOfChoices(string member, int choices)
    {
        using var request = ChatRequests.Parse("{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]" + member + "}");

        Assert.Equal(choices, request.Choices);
    }

    [Fact]
    public void ChunkContent_TryRead_TextFinishAndToolCalls()
    {
        Assert.True(ChunkContent.TryRead(Encoding.UTF8.GetBytes("""{"id":"x","choices":[{"index":0,"delta":{"content":"Hel\nlo"},"finish_reason":null}]}"""),
            out var text, out var finish, out var tools));
        Assert.Equal("Hel\nlo", text);
        Assert.Null(finish);
        Assert.False(tools);

        Assert.True(ChunkContent.TryRead(Encoding.UTF8.GetBytes("""{"choices":[{"delta":{"tool_calls":[{"index":0,"function":{"arguments":"{"}}]},"finish_reason":null}]}"""),
            out text, out _, out tools));
        Assert.Null(text);
        Assert.True(tools);

        Assert.True(ChunkContent.TryRead(Encoding.UTF8.GetBytes("""{"choices":[{"delta":{},"finish_reason":"stop"}]}"""), out _, out finish, out _));
        Assert.Equal("stop", finish);
        Assert.False(ChunkContent.TryRead(Encoding.UTF8.GetBytes("[1]"), out _, out _, out _));
    }
}
