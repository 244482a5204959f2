using System.Net;
using System.Text;
using System.Text.Json;
using Dispatcher.ApiFront.Tests.TestHost;
using Dispatcher.FakeUpstream;
using OpenAI.Chat;

namespace Dispatcher.ApiFront.Tests.Streaming;

[Collection(DispatcherCollection.Name)]
public sealed class ContinuationTests
{
    // A cut is a reset: the pause lets the node read the chunks before it, so the cut lands after the commit point.
    private static readonly TimeSpan CutDelay = TimeSpan.FromMilliseconds(100);
    private const string Rest = " and the rest of the answer.";
    private readonly DispatcherFixture _node;

    public ContinuationTests(DispatcherFixture node)
    {
        _node = node;
        _node.Reset();
    }

    [Fact]
    public async Task StreamWithSdk_StallAfterCommit_ContinuationCompletesTheAnswer()
    {
        _node.Upstream.Enqueue("primary-model", FakeBehavior.StallMidStream(2));
        _node.Upstream.Enqueue("backup-model", FakeBehavior.Ok(Rest));

        var text = new StringBuilder();
        var ids = new HashSet<string>();
        var models = new HashSet<string>();
        var contentUpdates = 0;
        await foreach (var update in _node.Chat("continue-chain").CompleteChatStreamingAsync([new UserChatMessage("Say hello.")]))
        {
            ids.Add(update.CompletionId);
            models.Add(update.Model);
            foreach (var part in update.ContentUpdate)
            {
                text.Append(part.Text);
            }

            if (update.ContentUpdate.Count > 0 && ++contentUpdates == 2)
            {
                // The primary now goes silent; past the idle timeout the node continues on the backup.
                _node.Clock.Advance(TimeSpan.FromSeconds(6));
            }
        }

        var streamedByPrimary = text.ToString()[..^Rest.Length];
        Assert.EndsWith(Rest, text.ToString(), StringComparison.Ordinal);
        Assert.StartsWith(streamedByPrimary, "Hello from the fake upstream.", StringComparison.Ordinal);
        Assert.NotEmpty(streamedByPrimary);
        Assert.Single(ids);
        Assert.Equal(["primary-model"], models);

        var replay = _node.Upstream.Received.Single(r => r.Model == "backup-model");
        using var body = JsonDocument.Parse(replay.Body);
        var messages = body.RootElement.GetProperty("messages").EnumerateArray().ToArray();
        Assert.Equal(3, messages.Length);
        Assert.Equal("Say hello.", messages[0].GetProperty("content").GetString());
        Assert.Equal("assistant", messages[1].GetProperty("role").GetString());
        Assert.Equal(streamedByPrimary, messages[1].GetProperty("content").GetString());
        Assert.Equal("user", messages[2].GetProperty("role").GetString());
        Assert.Equal("Continue your previous message exactly where it stopped, without repeating any of it.", messages[2].GetProperty("content").GetString());
        await _node.Upstream.WaitForCancelledStreamAsync("primary-model", StreamEvents.Timeout());
    }

    [Fact]
    public async Task Stream_CutAfterCommit_ContinuationSplicedAndFinalChunkRecordsTheSwitch()
    {
        _node.Upstream.Enqueue("primary-model", FakeBehavior.CutConnection(2) with { ChunkDelay = CutDelay });
        _node.Upstream.Enqueue("backup-model", FakeBehavior.Ok(Rest));

        using var response = await SendAsync(ChatBodies.Simple("continue-chain", stream: true, includeUsage: true));
        var (events, aborted) = await ChatBodies.ReadEventsAsync(response);

        Assert.False(aborted);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("primary", ChatBodies.Header(response, "x-dispatcher-model"));
        Assert.Equal("[DONE]", events[^1]);
        var text = StreamEvents.Text(events);
        Assert.EndsWith(Rest, text, StringComparison.Ordinal);
        Assert.StartsWith(text[..^Rest.Length], "Hello from the fake upstream.", StringComparison.Ordinal);
        Assert.Single(StreamEvents.Distinct(events, "id"));
        Assert.Equal(["primary-model"], StreamEvents.Distinct(events, "model"));

        var dispatcher = StreamEvents.Dispatcher(events[^2]);
        Assert.Equal("backup", dispatcher.GetProperty("model").GetString());
        Assert.Equal(["primary", "backup"], dispatcher.GetProperty("models").EnumerateArray().Select(m => m.GetString()));
        Assert.Equal(2, dispatcher.GetProperty("attempts").GetInt32());
        Assert.Equal("primary=stream_cut", dispatcher.GetProperty("fallback_reasons").GetString());
        Assert.Equal("completed", dispatcher.GetProperty("outcome").GetString());
        Assert.True(dispatcher.GetProperty("usage").GetProperty("completion_tokens").GetInt32() > 0);
        Assert.True(dispatcher.GetProperty("cost_usd").GetDecimal() > 0);

        using var trail = JsonDocument.Parse(await _node.Http.GetStringAsync($"/v1/dispatcher/requests/{ChatBodies.Header(response, "x-dispatcher-request-id")}"));
        var attempts = trail.RootElement.GetProperty("attempts").EnumerateArray().ToArray();
        Assert.Equal(["continue", "served"], attempts.Select(a => a.GetProperty("action").GetString()));
        Assert.Equal(["primary", "backup"], attempts.Select(a => a.GetProperty("model").GetString()));
        Assert.Equal("backup", trail.RootElement.GetProperty("served_model").GetString());
    }

    [Fact]
    public async Task Stream_InBandErrorAfterCommit_Continued()
    {
        _node.Upstream.Enqueue("primary-model", FakeBehavior.InBandError(2));
        _node.Upstream.Enqueue("backup-model", FakeBehavior.Ok(Rest));

        using var response = await SendAsync(ChatBodies.Simple("continue-chain", stream: true));
        var (events, aborted) = await ChatBodies.ReadEventsAsync(response);

        Assert.False(aborted);
        Assert.EndsWith(Rest, StreamEvents.Text(events), StringComparison.Ordinal);
        Assert.Equal("primary=server_error", StreamEvents.Dispatcher(events[^2]).GetProperty("fallback_reasons").GetString());
    }

    [Fact]
    public async Task Stream_ToolCallDeltaThenCut_TypedErrorAndNoReplay()
    {
        _node.Upstream.Enqueue("primary-model", FakeBehavior.CutToolCall("get_weather", "{\"city\":\"Paris\",\"unit\":\"celsius\"}", 2) with { ChunkDelay = CutDelay });

        using var response = await SendAsync(ChatBodies.Simple("continue-chain", stream: true));
        var (events, aborted) = await ChatBodies.ReadEventsAsync(response);

        Assert.True(aborted);
        Assert.DoesNotContain("[DONE]", events);
        Assert.Contains(events, e => e.Contains("\"tool_calls\"", StringComparison.Ordinal));
        using var error = JsonDocument.Parse(events[^1]);
        Assert.Equal("stream_cut", error.RootElement.GetProperty("error").GetProperty("code").GetString());
        Assert.Equal(["primary"], error.RootElement.GetProperty("dispatcher").GetProperty("models").EnumerateArray().Select(m => m.GetString()));
        Assert.Equal(0, _node.Upstream.CallCount("backup-model"));
    }

    [Fact]
    public async Task Stream_ContinuationOnAnthropic_PartialAnswerSentAsPrefillWithoutInstruction()
    {
        _node.Upstream.Enqueue("primary-model", FakeBehavior.CutConnection(2) with { ChunkDelay = CutDelay });
        _node.Upstream.Enqueue("claude-sonnet-4-5", FakeBehavior.Ok(Rest));

        using var response = await SendAsync(ChatBodies.Simple("continue-anthropic", stream: true));
        var (events, aborted) = await ChatBodies.ReadEventsAsync(response);

        Assert.False(aborted);
        var text = StreamEvents.Text(events);
        Assert.EndsWith(Rest, text, StringComparison.Ordinal);
        var replay = _node.Upstream.Received.Single(r => r.Model == "claude-sonnet-4-5");
        using var body = JsonDocument.Parse(replay.Body);
        var messages = body.RootElement.GetProperty("messages").EnumerateArray().ToArray();
        Assert.Equal("assistant", messages[^1].GetProperty("role").GetString());
        Assert.DoesNotContain("Continue your previous message", replay.Body, StringComparison.Ordinal);
        Assert.Contains(JsonEncodedText.Encode(text[..^Rest.Length].TrimEnd()).ToString(), replay.Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Stream_CutAndNoCandidateLeft_TypedErrorAsWithoutContinuation()
    {
        _node.Upstream.Enqueue("primary-model", FakeBehavior.CutConnection(2) with { ChunkDelay = CutDelay });
        _node.Upstream.Enqueue("backup-model", FakeBehavior.Status(503));
        _node.Upstream.Enqueue("backup-model", FakeBehavior.Status(503));

        using var response = await SendAsync(ChatBodies.Simple("continue-chain", stream: true));
        var (events, aborted) = await ChatBodies.ReadEventsAsync(response);

        Assert.True(aborted);
        using var error = JsonDocument.Parse(events[^1]);
        Assert.Equal("stream_cut", error.RootElement.GetProperty("error").GetProperty("code").GetString());
        Assert.Equal("primary=stream_cut;backup=server_error", error.RootElement.GetProperty("dispatcher").GetProperty("fallback_reasons").GetString());
    }

    [Fact]
    public async Task Stream_SeveralChoicesCutAfterCommit_NotContinued()
    {
        _node.Upstream.Enqueue("primary-model", FakeBehavior.CutConnection(2) with { ChunkDelay = CutDelay });

        using var response = await SendAsync(ChatBodies.Simple("continue-chain", stream: true).Replace("\"stream\":true", "\"stream\":true,\"n\":2", StringComparison.Ordinal));
        var (events, aborted) = await ChatBodies.ReadEventsAsync(response);

        Assert.True(aborted);
        Assert.Contains("\"code\":\"stream_cut\"", events[^1], StringComparison.Ordinal);
        Assert.Equal(0, _node.Upstream.CallCount("backup-model"));
    }

    [Fact]
    public async Task Stream_ContinuationWouldBePricier_SkippedAsCostCeiling()
    {
        _node.Upstream.Enqueue("backup-model", FakeBehavior.CutConnection(2) with { ChunkDelay = CutDelay });

        using var response = await SendAsync(ChatBodies.Simple("continue-thrifty", stream: true));
        var (events, aborted) = await ChatBodies.ReadEventsAsync(response);

        Assert.True(aborted);
        using var error = JsonDocument.Parse(events[^1]);
        Assert.Equal("backup=stream_cut;primary=cost_ceiling", error.RootElement.GetProperty("dispatcher").GetProperty("fallback_reasons").GetString());
        Assert.Equal(0, _node.Upstream.CallCount("primary-model"));
    }

    private Task<HttpResponseMessage> SendAsync(string body) =>
        _node.Http.SendAsync(ChatBodies.Post(body), HttpCompletionOption.ResponseHeadersRead);
}
