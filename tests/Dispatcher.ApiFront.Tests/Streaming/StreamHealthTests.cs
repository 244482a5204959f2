using System.Text.Json;
using Dispatcher.ApiFront.Tests.TestHost;
using Dispatcher.FakeUpstream;
using OpenAI.Chat;

namespace Dispatcher.ApiFront.Tests.Streaming;

[Collection(DispatcherCollection.Name)]
public sealed class StreamHealthTests
{
    private readonly DispatcherFixture _node;

    public StreamHealthTests(DispatcherFixture node)
    {
        _node = node;
        _node.Reset();
    }

    [Fact]
    public async Task Stream_ThroughputBelowMinimum_EndsAsStalledLongBeforeTheIdleTimeout()
    {
        _node.Upstream.Enqueue("trickle-model", FakeBehavior.StallMidStream(2));

        using var response = await _node.Http.SendAsync(ChatBodies.Post(ChatBodies.Simple("trickle-chain", stream: true)), HttpCompletionOption.ResponseHeadersRead);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        var contentChunks = 0;
        while (contentChunks < 2 && await reader.ReadLineAsync() is { } line)
        {
            contentChunks += line.Contains("\"content\":\"", StringComparison.Ordinal) && !line.Contains("\"content\":\"\"", StringComparison.Ordinal) ? 1 : 0;
        }

        // Idle timeout is a minute; one 10-second window with fewer than 10 tokens trips the throughput guard.
        _node.Clock.Advance(TimeSpan.FromSeconds(10));
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
        await _node.Upstream.WaitForCancelledStreamAsync("trickle-model", StreamEvents.Timeout());
        using var trail = JsonDocument.Parse(await _node.Http.GetStringAsync($"/v1/dispatcher/requests/{ChatBodies.Header(response, "x-dispatcher-request-id")}"));
        Assert.Contains("MinTokensPerSecond", trail.RootElement.GetProperty("attempts")[0].GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task StreamWithSdk_ClientStopsReading_FakeUpstreamSeesTheCancellation()
    {
        // The upstream keeps its stream open after the first content (the node's clock does not move, so no timeout
        // fires): only the client's leaving can end it.
        _node.Upstream.Enqueue("primary-model", FakeBehavior.StallMidStream(1));

        // The SDK user gives up mid-answer by cancelling its token.
        using var stop = new CancellationTokenSource();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            await foreach (var update in _node.Chat("chain").CompleteChatStreamingAsync([new UserChatMessage("Say hello.")], cancellationToken: stop.Token))
            {
                if (update.ContentUpdate.Count > 0)
                {
                    await stop.CancelAsync();
                }
            }
        });

        await _node.Upstream.WaitForCancelledStreamAsync("primary-model", StreamEvents.Timeout());
        Assert.Equal(1, _node.Upstream.CancelledStreams("primary-model"));
    }
}
