using System.Net;
using Dispatcher.ApiFront.Tests.TestHost;

namespace Dispatcher.ApiFront.Tests.Endpoints;

[Collection(DispatcherCollection.Name)]
public sealed class CandidateFitTests
{
    private readonly DispatcherFixture _node;

    public CandidateFitTests(DispatcherFixture node)
    {
        _node = node;
        _node.Reset();
    }

    [Fact]
    public async Task Complete_PromptTooLongForFirstModel_SkippedWithoutCallAndLargerModelServes()
    {
        var longPrompt = ChatBodies.Simple("fit-chain").Replace("Say hello.", new string('a', 600), StringComparison.Ordinal);

        using var response = await _node.Http.SendAsync(ChatBodies.Post(longPrompt));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("backup", ChatBodies.Header(response, "x-dispatcher-model"));
        Assert.Equal("tiny=context_overflow", ChatBodies.Header(response, "x-dispatcher-fallback-reasons"));
        Assert.Equal(0, _node.Upstream.CallCount("tiny-model"));
    }

    [Fact]
    public async Task Complete_ToolsOnModelWithoutToolsCapability_SkippedAsCapabilityMismatch()
    {
        const string body = "{\"model\":\"fit-chain\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],"
            + "\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"now\",\"parameters\":{\"type\":\"object\",\"properties\":{}}}}]}";

        using var response = await _node.Http.SendAsync(ChatBodies.Post(body));

        Assert.Equal("backup", ChatBodies.Header(response, "x-dispatcher-model"));
        Assert.Equal("tiny=capability_mismatch", ChatBodies.Header(response, "x-dispatcher-fallback-reasons"));
        Assert.Equal(0, _node.Upstream.CallCount("tiny-model"));
    }

    [Fact]
    public async Task Complete_NoCandidateFits_400ContextOverflowWithoutAnyCall()
    {
        var longPrompt = ChatBodies.Simple("tiny").Replace("Say hello.", new string('a', 600), StringComparison.Ordinal);

        using var response = await _node.Http.SendAsync(ChatBodies.Post(longPrompt));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("context_overflow", await FallbackTests.ErrorCodeAsync(response));
        Assert.Equal(0, _node.Upstream.TotalCalls);
    }
}
