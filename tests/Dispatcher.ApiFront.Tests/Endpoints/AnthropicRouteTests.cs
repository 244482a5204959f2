using System.Net;
using System.Text;
using Dispatcher.ApiFront.Tests.TestHost;
using Dispatcher.FakeUpstream.Anthropic;
using OpenAI.Chat;

namespace Dispatcher.ApiFront.Tests.Endpoints;

[Collection(DispatcherCollection.Name)]
public sealed class AnthropicRouteTests
{
    private readonly DispatcherFixture _node;

    public AnthropicRouteTests(DispatcherFixture node)
    {
        _node = node;
        _node.Reset();
    }

    [Fact]
    public async Task CompleteWithSdk_AnthropicProvider_AnswersInOpenAiShapeWithKeyInHeader()
    {
        var result = await _node.Chat("anthropic-chain").CompleteChatAsync([new SystemChatMessage("Be brief."), new UserChatMessage("Say hello.")]);

        Assert.Equal("Hello from the fake upstream.", result.Value.Content[0].Text);
        Assert.True(result.Value.Usage.OutputTokenCount > 0);
        Assert.True(result.GetRawResponse().Headers.TryGetValue("x-dispatcher-model", out var model));
        Assert.Equal("sonnet", model);
        var received = Assert.Single(_node.Upstream.Received);
        Assert.Equal("/v1/messages", received.Path);
        Assert.Equal(DispatcherFixture.AnthropicKey, received.Headers["x-api-key"]);
        Assert.Contains("\"system\"", received.Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StreamWithSdk_AnthropicProvider_StreamsTheAnswer()
    {
        var text = new StringBuilder();
        await foreach (var update in _node.Chat("anthropic-chain").CompleteChatStreamingAsync([new UserChatMessage("Say hello.")]))
        {
            foreach (var part in update.ContentUpdate)
            {
                text.Append(part.Text);
            }
        }

        Assert.Equal("Hello from the fake upstream.", text.ToString());
    }

    [Fact]
    public async Task Complete_AnthropicOverloaded_FallsBackToOpenAiModel()
    {
        _node.Upstream.SetDefault("claude-sonnet-4-5", AnthropicFaults.Overloaded());

        using var response = await _node.Http.SendAsync(ChatBodies.Post(ChatBodies.Simple("anthropic-chain")));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("backup", ChatBodies.Header(response, "x-dispatcher-model"));
        Assert.Equal("sonnet=server_error;sonnet=server_error", ChatBodies.Header(response, "x-dispatcher-fallback-reasons"));
    }
}
