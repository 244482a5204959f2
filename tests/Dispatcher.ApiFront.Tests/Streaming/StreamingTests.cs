using System.Net;
using System.Text;
using System.Text.Json;
using Dispatcher.ApiFront.Tests.TestHost;
using Dispatcher.FakeUpstream;
using OpenAI.Chat;

namespace Dispatcher.ApiFront.Tests.Streaming;

[Collection(DispatcherCollection.Name)]
public sealed class StreamingTests
{
    private readonly DispatcherFixture _node;

    public StreamingTests(DispatcherFixture node)
    {
        _node = node;
        _node.Reset();
    }

    [Fact]
    public async Task StreamWithSdk_PrimaryReturns503_SecondModelAnswers()
    {
        _node.Upstream.SetDefault("primary-model", FakeBehavior.Status(503));

        var text = new StringBuilder();
        await foreach (var update in _node.Chat("chain").CompleteChatStreamingAsync([new UserChatMessage("Say hello.")]))
        {
            foreach (var part in update.ContentUpdate)
            {
                text.Append(part.Text);
            }
        }

        Assert.Equal("Hello from the fake upstream.", text.ToString());
        Assert.Equal(2, _node.Upstream.CallCount("primary-model"));
        Assert.Equal(1, _node.Upstream.CallCount("backup-model"));
    }

    [Fact]
    public async Task Stream_FallbackBeforeCommit_HeadersAndFinalChunkSaySo()
    {
        _node.Upstream.Enqueue("primary-model", FakeBehavior.CutConnection(0) with { ChunkDelay = CutDelay });

        using var response = await SendAsync(ChatBodies.Simple("chain", stream: true));
        var (events, aborted) = await ChatBodies.ReadEventsAsync(response);

        Assert.False(aborted);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("backup", ChatBodies.Header(response, "x-dispatcher-model"));
        Assert.Equal("primary=stream_cut", ChatBodies.Header(response, "x-dispatcher-fallback-reasons"));
        Assert.Equal("2", ChatBodies.Header(response, "x-dispatcher-attempts"));
        Assert.Equal("[DONE]", events[^1]);
        using var final = JsonDocument.Parse(events[^2]);
        var dispatcher = final.RootElement.GetProperty("dispatcher");
        Assert.Equal("backup", dispatcher.GetProperty("model").GetString());
        Assert.Equal(2, dispatcher.GetProperty("attempts").GetInt32());
        Assert.Equal("completed", dispatcher.GetProperty("outcome").GetString());
        Assert.True(dispatcher.GetProperty("cost_usd").GetDecimal() > 0);
        Assert.False(final.RootElement.TryGetProperty("usage", out _));
        Assert.Equal("Hello from the fake upstream.", Content(events));
    }

    [Fact]
    public async Task Stream_IncludeUsage_FinalChunkCarriesUsageAndUpstreamAlwaysAskedForIt()
    {
        using var withUsage = await SendAsync(ChatBodies.Simple("chain", stream: true, includeUsage: true));
        var (events, _) = await ChatBodies.ReadEventsAsync(withUsage);

        using var final = JsonDocument.Parse(events[^2]);
        Assert.Empty(final.RootElement.GetProperty("choices").EnumerateArray());
        Assert.True(final.RootElement.GetProperty("usage").GetProperty("completion_tokens").GetInt32() > 0);
        Assert.Single(events, e => e.Contains("\"usage\":{", StringComparison.Ordinal));
        Assert.Contains("\"stream_options\":{\"include_usage\":true}", _node.Upstream.Received[0].Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Stream_CutAfterCommit_EndsWithTypedErrorAndAbort()
    {
        _node.Upstream.Enqueue("primary-model", FakeBehavior.CutConnection(2) with { ChunkDelay = CutDelay });

        using var response = await SendAsync(ChatBodies.Simple("chain", stream: true));
        var (events, aborted) = await ChatBodies.ReadEventsAsync(response);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True(aborted);
        Assert.DoesNotContain("[DONE]", events);
        using var error = JsonDocument.Parse(events[^1]);
        Assert.Equal("stream_cut", error.RootElement.GetProperty("error").GetProperty("code").GetString());
        Assert.Equal("stream_cut", error.RootElement.GetProperty("dispatcher").GetProperty("outcome").GetString());
        Assert.Equal(0, _node.Upstream.CallCount("backup-model"));
    }

    [Fact]
    public async Task StreamWithSdk_CutAfterCommit_SdkRaises()
    {
        _node.Upstream.Enqueue("primary-model", FakeBehavior.CutConnection(2) with { ChunkDelay = CutDelay });

        var error = await Record.ExceptionAsync(async () =>
        {
            await foreach (var update in _node.Chat("chain").CompleteChatStreamingAsync([new UserChatMessage("Say hello.")]))
            {
                Assert.NotNull(update);
            }
        });

        Assert.NotNull(error);
    }

    [Fact]
    public async Task Stream_InBandErrorBeforeCommit_RetriedInvisibly()
    {
        _node.Upstream.Enqueue("primary-model", FakeBehavior.InBandError(0));

        using var response = await SendAsync(ChatBodies.Simple("chain", stream: true));
        var (events, aborted) = await ChatBodies.ReadEventsAsync(response);

        Assert.False(aborted);
        Assert.Equal("primary", ChatBodies.Header(response, "x-dispatcher-model"));
        Assert.Equal("primary=server_error", ChatBodies.Header(response, "x-dispatcher-fallback-reasons"));
        Assert.Equal("Hello from the fake upstream.", Content(events));
    }

    [Fact]
    public async Task Stream_FirstTokenTimeout_FallsBack()
    {
        _node.Upstream.Enqueue("primary-model", FakeBehavior.DelayFirstByte(TimeSpan.FromMinutes(5)));

        var pending = SendAsync(ChatBodies.Simple("chain", stream: true));
        await _node.Upstream.WaitForRequestAsync(r => r.Model == "primary-model", Timeout());
        _node.Clock.Advance(TimeSpan.FromSeconds(6));
        using var response = await pending;
        var (events, _) = await ChatBodies.ReadEventsAsync(response);

        Assert.Equal("backup", ChatBodies.Header(response, "x-dispatcher-model"));
        Assert.Equal("primary=first_token_timeout", ChatBodies.Header(response, "x-dispatcher-fallback-reasons"));
        Assert.Equal("Hello from the fake upstream.", Content(events));
    }

    [Fact]
    public async Task Stream_StallAfterCommit_EndsWithStreamStalled()
    {
        _node.Upstream.Enqueue("primary-model", FakeBehavior.StallMidStream(2));

        using var response = await SendAsync(ChatBodies.Simple("chain", stream: true));
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        var contentChunks = 0;
        while (contentChunks < 2 && await reader.ReadLineAsync() is { } line)
        {
            contentChunks += line.Contains("\"content\":\"", StringComparison.Ordinal) && !line.Contains("\"content\":\"\"", StringComparison.Ordinal) ? 1 : 0;
        }

        _node.Clock.Advance(TimeSpan.FromSeconds(6));
        var rest = new List<string>();
        try
        {
            while (await reader.ReadLineAsync() is { } line)
            {
                rest.Add(line);
            }
        }
        catch (Exception ex) when (ex is IOException or HttpRequestException)
        {
            // The node aborts the connection after the error event.
        }

        var error = rest.Single(l => l.StartsWith("data: {\"error\"", StringComparison.Ordinal));
        Assert.Contains("\"code\":\"stream_stalled\"", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Stream_ClientDisconnects_UpstreamStreamIsCancelled()
    {
        _node.Upstream.Enqueue("primary-model", FakeBehavior.Ok(string.Join(' ', Enumerable.Repeat("word", 400))) with { ChunkDelay = TimeSpan.FromMilliseconds(20) });

        using (var response = await SendAsync(ChatBodies.Simple("chain", stream: true)))
        {
            using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
            Assert.NotNull(await reader.ReadLineAsync());
            Assert.Equal(1, _node.Upstream.ActiveStreams);
        }

        await _node.Upstream.WaitForNoActiveStreamsAsync(Timeout());
        Assert.Equal(0, _node.Upstream.ActiveStreams);
    }

    // A cut is a reset: bytes still unread when it lands may be lost with it. The pause lets the node read the
    // chunks first, so the cut lands after the commit point as the test intends.
    private static readonly TimeSpan CutDelay = TimeSpan.FromMilliseconds(100);

    private Task<HttpResponseMessage> SendAsync(string body) =>
        _node.Http.SendAsync(ChatBodies.Post(body), HttpCompletionOption.ResponseHeadersRead);

    private static CancellationToken Timeout() => new CancellationTokenSource(TimeSpan.FromSeconds(10)).Token;

    private static string Content(List<string> events)
    {
        var text = new StringBuilder();
        foreach (var data in events.Where(e => e != "[DONE]"))
        {
            using var chunk = JsonDocument.Parse(data);
            foreach (var choice in chunk.RootElement.GetProperty("choices").EnumerateArray())
            {
                if (choice.GetProperty("delta").TryGetProperty("content", out var content) && content.ValueKind == JsonValueKind.String)
                {
                    text.Append(content.GetString());
                }
            }
        }

        return text.ToString();
    }
}
