using System.Text;
using System.Text.Json;
using Dispatcher.ApiFront.Tests.TestHost;
using Dispatcher.FakeUpstream;
using OpenAI.Chat;

namespace Dispatcher.ApiFront.Tests.Streaming;

[Collection(DispatcherCollection.Name)]
public sealed class HedgingTests
{
    private static readonly TimeSpan PastThreshold = TimeSpan.FromSeconds(2.5);
    private readonly DispatcherFixture _node;
    private readonly TaskCompletionSource _never = new();

    public HedgingTests(DispatcherFixture node)
    {
        _node = node;
        _node.Reset();
    }

    [Fact]
    public async Task Hedge_SecondProducesFirstToken_SecondServesAndFirstIsCancelled()
    {
        _node.Upstream.Enqueue("primary-model", FakeBehavior.Ok() with { HoldUntil = _never.Task });

        var pending = SendAsync(ChatBodies.Simple("hedge-chain", stream: true));
        await _node.Upstream.WaitForRequestAsync(r => r.Model == "primary-model", StreamEvents.Timeout());
        _node.Clock.Advance(PastThreshold);
        using var response = await pending;
        var (events, aborted) = await ChatBodies.ReadEventsAsync(response);

        Assert.False(aborted);
        Assert.Equal("backup", ChatBodies.Header(response, "x-dispatcher-model"));
        Assert.Equal("2", ChatBodies.Header(response, "x-dispatcher-attempts"));
        Assert.Equal("primary=cancelled", ChatBodies.Header(response, "x-dispatcher-fallback-reasons"));
        Assert.Equal("Hello from the fake upstream.", StreamEvents.Text(events));
        await _node.Upstream.WaitForCancelledStreamAsync("primary-model", StreamEvents.Timeout());

        using var trail = JsonDocument.Parse(await _node.Http.GetStringAsync($"/v1/dispatcher/requests/{ChatBodies.Header(response, "x-dispatcher-request-id")}"));
        var attempts = trail.RootElement.GetProperty("attempts").EnumerateArray().ToArray();
        Assert.Equal(["hedge_lost", "served"], attempts.Select(a => a.GetProperty("action").GetString()));
        Assert.All(attempts, a => Assert.True(a.GetProperty("cost_usd").GetDecimal() > 0));
        Assert.Equal(attempts.Sum(a => a.GetProperty("cost_usd").GetDecimal()), StreamEvents.Dispatcher(events[^2]).GetProperty("cost_usd").GetDecimal());
    }

    [Fact]
    public async Task Hedge_FirstProducesFirstToken_FirstServesAndHedgeIsCancelled()
    {
        var releasePrimary = new TaskCompletionSource();
        _node.Upstream.Enqueue("primary-model", FakeBehavior.Ok() with { HoldUntil = releasePrimary.Task });
        _node.Upstream.Enqueue("backup-model", FakeBehavior.Ok() with { HoldUntil = _never.Task });

        var chat = _node.Chat("hedge-chain");
        var streaming = Task.Run(async () =>
        {
            var text = new StringBuilder();
            await foreach (var update in chat.CompleteChatStreamingAsync([new UserChatMessage("Say hello.")]))
            {
                text.Append(string.Concat(update.ContentUpdate.Select(part => part.Text)));
            }

            return text.ToString();
        });
        await _node.Upstream.WaitForRequestAsync(r => r.Model == "primary-model", StreamEvents.Timeout());
        _node.Clock.Advance(PastThreshold);
        await _node.Upstream.WaitForRequestAsync(r => r.Model == "backup-model", StreamEvents.Timeout());
        releasePrimary.SetResult();

        Assert.Equal("Hello from the fake upstream.", await streaming);
        await _node.Upstream.WaitForCancelledStreamAsync("backup-model", StreamEvents.Timeout());
        Assert.Equal(1, _node.Upstream.CallCount("primary-model"));
        Assert.Equal(1, _node.Upstream.CancelledStreams("backup-model"));
    }

    [Fact]
    public async Task Hedge_FirstAnswersBeforeThreshold_NoHedge()
    {
        using var response = await SendAsync(ChatBodies.Simple("hedge-chain", stream: true));
        var (events, _) = await ChatBodies.ReadEventsAsync(response);

        Assert.Equal("primary", ChatBodies.Header(response, "x-dispatcher-model"));
        Assert.Equal("1", ChatBodies.Header(response, "x-dispatcher-attempts"));
        Assert.Equal("Hello from the fake upstream.", StreamEvents.Text(events));
        Assert.Equal(0, _node.Upstream.CallCount("backup-model"));
    }

    [Fact]
    public async Task Hedge_NonStreaming_SecondAnswersAndBothCostsAreInTheHeader()
    {
        _node.Upstream.Enqueue("primary-model", FakeBehavior.Ok() with { HoldUntil = _never.Task });

        var pending = _node.Http.SendAsync(ChatBodies.Post(ChatBodies.Simple("hedge-chain")));
        await _node.Upstream.WaitForRequestAsync(r => r.Model == "primary-model", StreamEvents.Timeout());
        _node.Clock.Advance(PastThreshold);
        using var response = await pending;

        Assert.Equal("backup", ChatBodies.Header(response, "x-dispatcher-model"));
        Assert.Equal("primary=cancelled", ChatBodies.Header(response, "x-dispatcher-fallback-reasons"));
        using var trail = JsonDocument.Parse(await _node.Http.GetStringAsync($"/v1/dispatcher/requests/{ChatBodies.Header(response, "x-dispatcher-request-id")}"));
        var costs = trail.RootElement.GetProperty("attempts").EnumerateArray().Select(a => a.GetProperty("cost_usd").GetDecimal()).ToArray();
        Assert.Equal(2, costs.Length);
        Assert.All(costs, cost => Assert.True(cost > 0));
        Assert.Equal(costs.Sum(), decimal.Parse(ChatBodies.Header(response, "x-dispatcher-cost-usd"), System.Globalization.CultureInfo.InvariantCulture));
        await _node.Upstream.WaitForNoActiveRequestsAsync(StreamEvents.Timeout());
    }

    [Fact]
    public async Task Hedge_AtObservedP95_HedgesOnlyOnceTheFirstIsSlowerThanUsual()
    {
        // Sixteen streams whose first token takes one second on the node's clock: the model's p95 is one second.
        for (var i = 0; i < 16; i++)
        {
            var release = new TaskCompletionSource();
            _node.Upstream.Enqueue("p95-model", FakeBehavior.Ok() with { HoldUntil = release.Task });
            var marker = $"warm-up {i}";
            var warmUp = SendAsync(Body("hedge-p95-chain", marker));
            await _node.Upstream.WaitForRequestAsync(r => r.Body.Contains(marker, StringComparison.Ordinal), StreamEvents.Timeout());
            _node.Clock.Advance(TimeSpan.FromSeconds(1));
            release.SetResult();
            using var served = await warmUp;
            Assert.Equal("p95-first", ChatBodies.Header(served, "x-dispatcher-model"));
            await ChatBodies.ReadEventsAsync(served);
        }

        Assert.Equal(0, _node.Upstream.CallCount("backup-model"));
        _node.Upstream.Enqueue("p95-model", FakeBehavior.Ok() with { HoldUntil = _never.Task });
        var pending = SendAsync(Body("hedge-p95-chain", "slow one"));
        await _node.Upstream.WaitForRequestAsync(r => r.Body.Contains("slow one", StringComparison.Ordinal), StreamEvents.Timeout());
        _node.Clock.Advance(TimeSpan.FromSeconds(1.5));
        using var response = await pending;

        Assert.Equal("backup", ChatBodies.Header(response, "x-dispatcher-model"));
        Assert.Equal("p95-first=cancelled", ChatBodies.Header(response, "x-dispatcher-fallback-reasons"));
        await _node.Upstream.WaitForCancelledStreamAsync("p95-model", StreamEvents.Timeout());
    }

    private static string Body(string model, string text) =>
        "{\"model\":\"" + model + "\",\"messages\":[{\"role\":\"user\",\"content\":\"" + text + "\"}],\"stream\":true}";

    private Task<HttpResponseMessage> SendAsync(string body) =>
        _node.Http.SendAsync(ChatBodies.Post(body), HttpCompletionOption.ResponseHeadersRead);
}
