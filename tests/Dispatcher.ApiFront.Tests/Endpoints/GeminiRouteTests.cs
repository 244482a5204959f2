using System.Net;
using System.Text;
using Dispatcher.ApiFront.Tests.TestHost;
using Dispatcher.FakeUpstream;
using OpenAI.Chat;

namespace Dispatcher.ApiFront.Tests.Endpoints;

[Collection(DispatcherCollection.Name)]
public sealed class GeminiRouteTests
{
    private readonly DispatcherFixture _node;

    public GeminiRouteTests(DispatcherFixture node)
    {
        _node = node;
        _node.Reset();
    }

    [Fact]
    public async Task CompleteWithSdk_GeminiProvider_AnswersInOpenAiShapeWithKeyInHeaderOnly()
    {
        var result = await _node.Chat("gemini-chain").CompleteChatAsync([new SystemChatMessage("Be brief."), new UserChatMessage("Say hello.")]);

        Assert.Equal("Hello from the fake upstream.", result.Value.Content[0].Text);
        Assert.True(result.Value.Usage.OutputTokenCount > 0);
        Assert.True(result.GetRawResponse().Headers.TryGetValue("x-dispatcher-model", out var model));
        Assert.Equal("gem-flash", model);
        var received = Assert.Single(_node.Upstream.Received);
        Assert.Equal("/v1beta/models/gemini-2.5-flash:generateContent", received.Path);
        Assert.Equal(DispatcherFixture.GeminiKey, received.Headers["x-goog-api-key"]);
        Assert.DoesNotContain(DispatcherFixture.GeminiKey, received.Path, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StreamWithSdk_GeminiProvider_StreamsTheAnswer()
    {
        var text = new StringBuilder();
        await foreach (var update in _node.Chat("gemini-chain").CompleteChatStreamingAsync([new UserChatMessage("Say hello.")]))
        {
            foreach (var part in update.ContentUpdate)
            {
                text.Append(part.Text);
            }
        }

        Assert.Equal("Hello from the fake upstream.", text.ToString());
        Assert.Contains(_node.Upstream.Received, r => r.Path.Contains(":streamGenerateContent?alt=sse", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Complete_GeminiRateLimited_FallsBackToOpenAiModel()
    {
        _node.Upstream.Enqueue("gemini-2.5-flash", FakeBehavior.RateLimited(TimeSpan.FromSeconds(30)));

        using var response = await _node.Http.SendAsync(ChatBodies.Post(ChatBodies.Simple("gemini-chain")));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("backup", ChatBodies.Header(response, "x-dispatcher-model"));
        Assert.Equal("gem-flash=rate_limited", ChatBodies.Header(response, "x-dispatcher-fallback-reasons"));
    }
}
