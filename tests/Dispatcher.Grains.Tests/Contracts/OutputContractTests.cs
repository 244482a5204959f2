using System.Text;
using Dispatcher.Grains.Configuration;
using Dispatcher.Grains.Contracts;
using Dispatcher.Grains.Tests.Chat;
using Xunit;

namespace Dispatcher.Grains.Tests.Contracts;

public sealed class OutputContractTests
{
    private const string Schema = """{"type":"object","properties":{"n":{"type":"integer"}},"required":["n"],"additionalProperties":false}""";

    [Fact]
    public void For_NoSchemaNoStrictTools_IsNull()
    {
        using var request = ChatRequests.Parse("""{"model":"m","messages":[{"role":"user","content":"x"}],"tools":[{"type":"function","function":{"name":"f","parameters":{"type":"object"}}}]}""");

        Assert.Null(OutputContract.For(request, new RouteOptions()));
    }

    [Fact]
    public void For_RouteSchemaWithoutResponseFormat_UsesTheRoutes()
    {
        using var request = ChatRequests.Parse("""{"model":"m","messages":[{"role":"user","content":"x"}]}""");

        var contract = OutputContract.For(request, new RouteOptions { ResponseSchema = Schema });

        Assert.NotNull(contract);
        Assert.True(contract.ContentFromRoute);
    }

    [Fact]
    public void For_BadToolSchema_NamesTheParameter()
    {
        using var request = ChatRequests.Parse("""{"model":"m","messages":[{"role":"user","content":"x"}],"tools":[{"type":"function","function":{"name":"f","strict":true,"parameters":{"type":"nope"}}}]}""");

        var error = Assert.Throws<ContractException>(() => OutputContract.For(request, new RouteOptions()));

        Assert.Equal("tools[0].function.parameters", error.Param);
    }

    [Fact]
    public void Check_StreamedContentSplitAcrossChunks_IsValidatedWhole()
    {
        var contract = Contract();
        using var output = new AnswerOutput();
        output.AddChunk(Chunk("""{"index":0,"delta":{"role":"assistant","content":""}}"""));
        output.AddChunk(Chunk("""{"index":0,"delta":{"content":"{\"n\":"}}"""));
        output.AddChunk(Chunk("""{"delta":{"content":"4\u0032}"},"index":0}"""));
        output.AddChunk(Chunk("""{"index":0,"delta":{},"finish_reason":"stop"}"""));

        Assert.Equal("{\"n\":42}", Encoding.UTF8.GetString(output.Choices[0].Content.WrittenSpan));
        Assert.Null(contract.Check(output));
    }

    [Fact]
    public void Check_SecondChoiceBreaks_IsABreachWithARepairTurn()
    {
        var contract = Contract();
        using var output = new AnswerOutput();
        output.AddCompletion(Encoding.UTF8.GetBytes("""
            {"id":"x","choices":[{"index":0,"message":{"role":"assistant","content":"{\"n\":1}"}},
                                 {"index":1,"message":{"role":"assistant","content":"{\"n\":\"one\"}"}}]}
            """));

        var breach = contract.Check(output);

        Assert.NotNull(breach);
        Assert.Equal("the answer does not match the response schema: $.n: expected integer, got string", breach.Detail);
        Assert.Equal("""{"role":"assistant","content":"{\u0022n\u0022:\u0022one\u0022}"},{"role":"user","content":"Your previous answer did not match the required JSON schema: $.n: expected integer, got string. Reply again with only a JSON value that matches the schema, and nothing else."}""",
            Encoding.UTF8.GetString(breach.RepairTurn));
    }

    [Fact]
    public void Check_RefusalWithoutContent_IsNotABreach()
    {
        var contract = Contract();
        using var output = new AnswerOutput();
        output.AddCompletion(Encoding.UTF8.GetBytes("""{"choices":[{"index":0,"message":{"role":"assistant","content":null,"refusal":"I can't."}}]}"""));

        Assert.Null(contract.Check(output));
    }

    [Fact]
    public void Check_StreamedToolArgumentsByIndex_EachCallValidated()
    {
        using var request = ChatRequests.Parse("""
            {"model":"m","messages":[{"role":"user","content":"x"}],"tools":[
              {"type":"function","function":{"name":"add","strict":true,"parameters":{"type":"object","properties":{"a":{"type":"integer"}},"required":["a"]}}}]}
            """);
        var contract = OutputContract.For(request, new RouteOptions())!;
        using var output = new AnswerOutput();
        output.AddChunk(Chunk("""{"index":0,"delta":{"tool_calls":[{"index":0,"id":"c1","type":"function","function":{"name":"add","arguments":""}}]}}"""));
        output.AddChunk(Chunk("""{"index":0,"delta":{"tool_calls":[{"index":1,"id":"c2","type":"function","function":{"name":"add","arguments":"{\"a\":"}}]}}"""));
        output.AddChunk(Chunk("""{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"{\"a\":1}"}}]}}"""));
        output.AddChunk(Chunk("""{"index":0,"delta":{"tool_calls":[{"function":{"arguments":"\"x\"}"},"index":1}]}}"""));

        var breach = contract.Check(output);

        Assert.NotNull(breach);
        Assert.Equal("the arguments of the call to 'add' do not match its parameters schema: $.a: expected integer, got string", breach.Detail);
        Assert.StartsWith("""{"role":"user","content":"Your call to the function""", Encoding.UTF8.GetString(breach.RepairTurn), StringComparison.Ordinal);
    }

    private static OutputContract Contract() => OutputContract.For(
        ChatRequests.Parse("""{"model":"m","messages":[{"role":"user","content":"x"}]}"""), new RouteOptions { ResponseSchema = Schema })!;

    private static byte[] Chunk(string choice) => Encoding.UTF8.GetBytes("""{"id":"c","object":"chat.completion.chunk","choices":[""" + choice + "]}");
}
