using System.Net;
using System.Text.Json;
using Dispatcher.ApiFront.Tests.TestHost;
using Dispatcher.FakeUpstream;
using OpenAI.Chat;

namespace Dispatcher.ApiFront.Tests.Conversations;

[Collection(DispatcherCollection.Name)]
public sealed class PinningTests
{
    private readonly DispatcherFixture _node;
    private readonly string _session = "conv-" + Guid.NewGuid().ToString("N");

    public PinningTests(DispatcherFixture node)
    {
        _node = node;
        _node.Reset();
    }

    [Fact]
    public async Task Conversation_SeveralTurns_StayOnTheModelThatServedTheFirst()
    {
        _node.Upstream.SetDefault("primary-model", FakeBehavior.Status(503));
        var chat = _node.Chat("pinned-chain", _session);
        List<ChatMessage> messages = [new UserChatMessage("Hello.")];

        var first = await chat.CompleteChatAsync(messages);
        Assert.Equal("backup", Header(first.GetRawResponse(), "x-dispatcher-model"));

        // The primary is healthy again, but the conversation stays on the model that served its first turn.
        _node.Upstream.SetDefault("primary-model", FakeBehavior.Ok());
        var primaryCalls = _node.Upstream.CallCount("primary-model");
        for (var turn = 2; turn <= 4; turn++)
        {
            messages.Add(new AssistantChatMessage(first.Value.Content[0].Text));
            messages.Add(new UserChatMessage($"Turn {turn}."));
            var answer = await chat.CompleteChatAsync(messages);
            Assert.Equal("backup", Header(answer.GetRawResponse(), "x-dispatcher-model"));
            Assert.Null(Header(answer.GetRawResponse(), "x-dispatcher-repinned"));
        }

        var streamed = new System.Text.StringBuilder();
        await foreach (var update in chat.CompleteChatStreamingAsync(messages))
        {
            streamed.Append(string.Concat(update.ContentUpdate.Select(part => part.Text)));
        }

        Assert.Equal("Hello from the fake upstream.", streamed.ToString());
        Assert.Equal(primaryCalls, _node.Upstream.CallCount("primary-model"));
        Assert.Equal(5, _node.Upstream.CallCount("backup-model"));

        // Another conversation on the same route starts on the chain's first model.
        var other = await _node.Chat("pinned-chain", _session + "-other").CompleteChatAsync([new UserChatMessage("Hi.")]);
        Assert.Equal("primary", Header(other.GetRawResponse(), "x-dispatcher-model"));
    }

    [Fact]
    public async Task PinnedModelFails_Repin_HeaderAndTrailSaySoAndTheNewPinHolds()
    {
        var chat = _node.Chat("pinned-chain", _session);
        var first = await chat.CompleteChatAsync([new UserChatMessage("Hello.")]);
        Assert.Equal("primary", Header(first.GetRawResponse(), "x-dispatcher-model"));

        _node.Upstream.SetDefault("primary-model", FakeBehavior.Status(503));
        var second = await chat.CompleteChatAsync([new UserChatMessage("Hello."), new AssistantChatMessage("Hi!"), new UserChatMessage("Again.")]);

        var raw = second.GetRawResponse();
        Assert.Equal("backup", Header(raw, "x-dispatcher-model"));
        Assert.Equal("primary->backup", Header(raw, "x-dispatcher-repinned"));
        Assert.Equal("primary=server_error;primary=server_error", Header(raw, "x-dispatcher-fallback-reasons"));
        using (var trail = JsonDocument.Parse(await _node.Http.GetStringAsync($"/v1/dispatcher/requests/{Header(raw, "x-dispatcher-request-id")}")))
        {
            var served = trail.RootElement.GetProperty("attempts").EnumerateArray().Last();
            Assert.Equal("backup", served.GetProperty("model").GetString());
            Assert.Equal("repinned primary->backup", served.GetProperty("detail").GetString());
        }

        _node.Upstream.SetDefault("primary-model", FakeBehavior.Ok());
        var third = await chat.CompleteChatAsync([new UserChatMessage("Third.")]);
        Assert.Equal("backup", Header(third.GetRawResponse(), "x-dispatcher-model"));
        Assert.Null(Header(third.GetRawResponse(), "x-dispatcher-repinned"));
    }

    [Fact]
    public async Task PinnedModelFails_FailPolicy_TurnFailsAndNoOtherModelIsCalled()
    {
        var chat = _node.Chat("pin-fail-chain", _session);
        await chat.CompleteChatAsync([new UserChatMessage("Hello.")]);
        _node.Upstream.SetDefault("primary-model", FakeBehavior.Status(503));

        using var response = await _node.Http.SendAsync(WithSession(ChatBodies.Post(ChatBodies.Simple("pin-fail-chain"))));

        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        Assert.Equal("primary=server_error;primary=server_error", ChatBodies.Header(response, "x-dispatcher-fallback-reasons"));
        Assert.Equal(0, _node.Upstream.CallCount("backup-model"));
    }

    [Fact]
    public async Task ReturnToPrimary_PrimaryHealthyLongEnough_NextTurnMovesBack()
    {
        _node.Upstream.SetDefault("primary-model", FakeBehavior.Status(503));
        using (var first = await _node.Http.SendAsync(WithSession(ChatBodies.Post(ChatBodies.Simple("return-chain")))))
        {
            Assert.Equal("backup", ChatBodies.Header(first, "x-dispatcher-model"));
        }

        _node.Upstream.SetDefault("primary-model", FakeBehavior.Ok());
        _node.Clock.Advance(TimeSpan.FromMinutes(4));
        using (var early = await _node.Http.SendAsync(WithSession(ChatBodies.Post(ChatBodies.Simple("return-chain")))))
        {
            Assert.Equal("backup", ChatBodies.Header(early, "x-dispatcher-model"));
        }

        _node.Clock.Advance(TimeSpan.FromMinutes(2));
        using var back = await _node.Http.SendAsync(WithSession(ChatBodies.Post(ChatBodies.Simple("return-chain"))));

        Assert.Equal("primary", ChatBodies.Header(back, "x-dispatcher-model"));
        Assert.Equal("backup->primary", ChatBodies.Header(back, "x-dispatcher-repinned"));
    }

    [Fact]
    public async Task Session_StreamedTurn_RepinHeaderBeforeTheFirstByte()
    {
        using (var first = await _node.Http.SendAsync(WithSession(ChatBodies.Post(ChatBodies.Simple("pinned-chain", stream: true)))))
        {
            Assert.Equal("primary", ChatBodies.Header(first, "x-dispatcher-model"));
            await ChatBodies.ReadEventsAsync(first);
        }

        _node.Upstream.Enqueue("primary-model", FakeBehavior.Status(503));
        _node.Upstream.Enqueue("primary-model", FakeBehavior.Status(503));
        using var second = await _node.Http.SendAsync(WithSession(ChatBodies.Post(ChatBodies.Simple("pinned-chain", stream: true))),
            HttpCompletionOption.ResponseHeadersRead);

        Assert.Equal("primary->backup", ChatBodies.Header(second, "x-dispatcher-repinned"));
        var (events, aborted) = await ChatBodies.ReadEventsAsync(second);
        Assert.False(aborted);
        Assert.Equal("Hello from the fake upstream.", StreamEvents.Text(events));
    }

    [Fact]
    public async Task Session_HeaderTooLong_400()
    {
        var request = ChatBodies.Post(ChatBodies.Simple("pinned-chain"));
        request.Headers.Add("x-dispatcher-session", new string('s', 257));

        using var response = await _node.Http.SendAsync(request);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(0, _node.Upstream.TotalCalls);
    }

    private HttpRequestMessage WithSession(HttpRequestMessage request)
    {
        request.Headers.Add("x-dispatcher-session", _session);
        return request;
    }

    private static string? Header(System.ClientModel.Primitives.PipelineResponse response, string name) =>
        response.Headers.TryGetValue(name, out var value) ? value : null;
}
