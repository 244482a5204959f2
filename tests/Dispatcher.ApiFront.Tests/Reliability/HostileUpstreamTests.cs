using System.Net;
using System.Text.Json;
using Dispatcher.ApiFront.Tests.TestHost;
using Dispatcher.FakeUpstream;
using Xunit.Abstractions;

namespace Dispatcher.ApiFront.Tests.Reliability;

/// <summary>
/// Upstreams that misbehave on purpose: endless, gigantic, badly framed, headers that never finish, huge error bodies.
/// Each is classified into a failure kind within bounded memory and time, and the backup serves.
/// </summary>
[Collection(DispatcherCollection.Name)]
public sealed class HostileUpstreamTests
{
    private readonly DispatcherFixture _node;
    private readonly ITestOutputHelper _output;

    public HostileUpstreamTests(DispatcherFixture node, ITestOutputHelper output)
    {
        _node = node;
        _output = output;
        _node.Reset();
    }

    public static TheoryData<string, bool, string> Hostiles => new()
    {
        { "endless_body", false, "primary=invalid_response" },
        { "gigantic_body", false, "primary=invalid_response" },
        { "broken_framing", false, "primary=invalid_response" },
        { "huge_error_body", false, "primary=server_error;primary=server_error" },
        { "endless_empty_deltas", true, "primary=invalid_response" },
        { "gigantic_chunk", true, "primary=invalid_response" },
        { "broken_framing", true, "primary=invalid_response" },
        { "wrong_content_type", true, "primary=invalid_response" },
        { "huge_error_body", true, "primary=server_error;primary=server_error" },
    };

    [Theory]
    [MemberData(nameof(Hostiles))]
    public async Task Hostile_PrimaryMisbehaves_ClassifiedAndBackupServes(string hostile, bool stream, string reasons)
    {
        var primaryCalls = reasons.Split(';').Length;
        for (var i = 0; i < primaryCalls; i++)
        {
            _node.Upstream.Enqueue("primary-model", Behavior(hostile));
        }

        var (requestId, model, reasonsSeen) = await SendAsync("chain", stream);

        Assert.Equal("backup", model);
        Assert.Equal(reasons, reasonsSeen);
        Assert.Equal(primaryCalls, _node.Upstream.CallCount("primary-model"));
        await AssertTrailAsync(requestId, [.. reasons.Split(';').Select(static r => r.Split('=')[1]), "served"]);
    }

    [Fact]
    public async Task KeepAliveCommentsForever_FirstTokenTimeoutOnTheClockThenBackup()
    {
        _node.Upstream.Enqueue("primary-model", FakeBehavior.EndlessKeepAlive() with { ChunkDelay = TimeSpan.FromMilliseconds(20) });

        var pending = SendAsync("chain", stream: true);
        await WaitAndAdvanceAsync(TimeSpan.FromSeconds(5));
        var (requestId, model, reasons) = await pending;

        Assert.Equal("backup", model);
        Assert.Equal("primary=first_token_timeout", reasons);
        await AssertTrailAsync(requestId, ["first_token_timeout", "served"]);
        using var idle = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await _node.Upstream.WaitForNoActiveStreamsAsync(idle.Token);
    }

    [Theory]
    [InlineData(false, "hanging=timeout", 60)]
    [InlineData(true, "hanging=first_token_timeout", 5)]
    public async Task HeadersNeverFinish_TimeoutOnTheClockThenBackup(bool stream, string reasons, int timeoutSeconds)
    {
        var before = _node.Hanging.Connections;

        var pending = SendAsync("hanging-chain", stream);
        using (var headSent = new CancellationTokenSource(TimeSpan.FromSeconds(20)))
        {
            await _node.Hanging.WaitForPartialHeadAsync(headSent.Token);
        }

        await WaitAndAdvanceAsync(TimeSpan.FromSeconds(timeoutSeconds));
        var (requestId, model, reasonsSeen) = await pending;

        Assert.Equal("backup", model);
        Assert.Equal(reasons, reasonsSeen);
        Assert.Equal(before + 1, _node.Hanging.Connections);
        await AssertTrailAsync(requestId, [reasons.Split('=')[1], "served"]);
    }

    [Fact]
    public async Task EndlessAndGigantic_Repeated_ManagedHeapStaysFlat()
    {
        var heaps = new List<long>();
        for (var round = 0; round < 4; round++)
        {
            _node.Upstream.Enqueue("primary-model", FakeBehavior.EndlessBody());
            _node.Upstream.Enqueue("primary-model", FakeBehavior.EndlessStream());
            _node.Upstream.Enqueue("primary-model", FakeBehavior.GiganticChunk(8 * 1024 * 1024));
            Assert.Equal("backup", (await SendAsync("chain", stream: false)).Model);
            Assert.Equal("backup", (await SendAsync("chain", stream: true)).Model);
            Assert.Equal("backup", (await SendAsync("chain", stream: true)).Model);
            heaps.Add(SettledHeap());
        }

        _output.WriteLine("managed heap after each round (32 MiB endless body, 16 MiB of empty deltas, one 8 MiB event): "
            + string.Join(" -> ", heaps.Select(static h => (h / 1048576.0).ToString("F1", System.Globalization.CultureInfo.InvariantCulture))) + " MB");
        Assert.True(heaps[^1] - heaps[0] < 16L * 1024 * 1024, "the heap grew with each round");
    }

    private static FakeBehavior Behavior(string hostile) => hostile switch
    {
        "endless_body" => FakeBehavior.EndlessBody(),
        "gigantic_body" => FakeBehavior.GiganticChunk(40 * 1024 * 1024),
        "broken_framing" => FakeBehavior.BrokenFraming(),
        "huge_error_body" => FakeBehavior.HugeErrorBody(503, 8 * 1024 * 1024),
        "endless_empty_deltas" => FakeBehavior.EndlessStream(),
        "gigantic_chunk" => FakeBehavior.GiganticChunk(8 * 1024 * 1024),
        "wrong_content_type" => FakeBehavior.WrongContentType(),
        _ => throw new ArgumentOutOfRangeException(nameof(hostile)),
    };

    private async Task<(string RequestId, string Model, string Reasons)> SendAsync(string route, bool stream)
    {
        using var response = await _node.Http.SendAsync(ChatBodies.Post(ChatBodies.Simple(route, stream)), HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        if (stream)
        {
            var (events, aborted) = await ChatBodies.ReadEventsAsync(response);
            Assert.False(aborted);
            Assert.Equal("[DONE]", events[^1]);
        }
        else
        {
            Assert.Contains("Hello from the fake upstream.", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        return (ChatBodies.Header(response, "x-dispatcher-request-id"), ChatBodies.Header(response, "x-dispatcher-model"),
            ChatBodies.Header(response, "x-dispatcher-fallback-reasons"));
    }

    private async Task AssertTrailAsync(string requestId, string[] kinds)
    {
        using var trail = JsonDocument.Parse(await _node.Http.GetStringAsync($"/v1/dispatcher/requests/{requestId}"));
        Assert.Equal(kinds, trail.RootElement.GetProperty("attempts").EnumerateArray().Select(static a => a.GetProperty("kind").GetString()!).ToArray());
    }

    private async Task WaitAndAdvanceAsync(TimeSpan timeout)
    {
        using var waiting = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        await _node.Clock.WaitForTimerAsync(timeout, waiting.Token);
        _node.Clock.Advance(timeout);
    }

    private static long SettledHeap()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        return GC.GetTotalMemory(forceFullCollection: true);
    }
}
