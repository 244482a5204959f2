using System.Net;
using Dispatcher.ApiFront.Tests.TestHost;
using Dispatcher.FakeUpstream;

namespace Dispatcher.ApiFront.Tests.Endpoints;

[Collection(DispatcherCollection.Name)]
public sealed class AzureOpenAiTests
{
    private readonly DispatcherFixture _node;

    public AzureOpenAiTests(DispatcherFixture node)
    {
        _node = node;
        _node.Reset();
    }

    [Fact]
    public async Task Complete_AzureProvider_CallsDeploymentUrlWithApiKeyHeader()
    {
        using var response = await _node.Http.SendAsync(ChatBodies.Post(ChatBodies.Simple("azure-chain")));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("azure-gpt", ChatBodies.Header(response, "x-dispatcher-model"));
        var received = Assert.Single(_node.Upstream.Received);
        Assert.Equal("/openai/deployments/azure-deployment/chat/completions?api-version=2024-10-21", received.Path);
        Assert.Equal(DispatcherFixture.AzureKey, received.Headers["api-key"]);
        Assert.Null(received.Authorization);
    }

    [Fact]
    public async Task Complete_AzureContentFilter_FailsFastAsContentFiltered()
    {
        _node.Upstream.Enqueue("azure-deployment", FakeBehavior.ContentFilter());

        using var response = await _node.Http.SendAsync(ChatBodies.Post(ChatBodies.Simple("azure-chain")));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("content_filtered", await FallbackTests.ErrorCodeAsync(response));
        Assert.Equal(0, _node.Upstream.CallCount("backup-model"));
    }
}
