using Dispatcher.FakeUpstream;
using Dispatcher.Providers;
using Dispatcher.Providers.Gemini;

namespace Dispatcher.ApiFront.Tests.Gemini;

/// <summary>Every fault the fake can inject, seen through the Gemini adapter over real HTTP, classified once.</summary>
public sealed class GeminiAdapterFaultTests : IClassFixture<GeminiUpstreamFixture>
{
    // A cut is a reset: bytes still unread when it lands may be lost with it. The pause lets the adapter read first.
    private static readonly TimeSpan CutDelay = TimeSpan.FromMilliseconds(100);

    private readonly GeminiUpstreamFixture _fake;

    public GeminiAdapterFaultTests(GeminiUpstreamFixture fake)
    {
        _fake = fake;
        _fake.Upstream.Reset();
    }

    private FakeUpstreamServer Upstream => _fake.Upstream;

    public static TheoryData<string, FailureKind> ErrorFaults => new()
    {
        { "rate_limited", FailureKind.RateLimited },
        { "insufficient_quota", FailureKind.QuotaExhausted },
        { "context_length_exceeded", FailureKind.ContextOverflow },
        { "invalid_request", FailureKind.InvalidRequest },
        { "unauthorized", FailureKind.AuthFailed },
        { "forbidden", FailureKind.AuthFailed },
        { "model_not_found", FailureKind.ModelNotFound },
        { "status_500", FailureKind.ServerError },
        { "status_502", FailureKind.ServerError },
        { "status_503", FailureKind.ServerError },
        { "status_504", FailureKind.Timeout },
        { "malformed_json", FailureKind.InvalidResponse },
        { "wrong_content_type", FailureKind.InvalidResponse },
        { "in_band_error", FailureKind.ServerError },
    };

    [Theory]
    [MemberData(nameof(ErrorFaults))]
    public async Task CompleteAsync_Fault_ClassifiedWithoutUpstreamText(string fault, FailureKind expected)
    {
        var model = "gemini-fault-" + fault;
        Upstream.Enqueue(model, Behavior(fault));
        using var call = GeminiCall.Simple(stream: false, model);
        using var timeout = new CancellationTokenSource(GeminiUpstreamFixture.Guard);

        using var result = await _fake.Adapter.CompleteAsync(call, timeout.Token);

        Assert.Equal(expected, result.Failure?.Kind);
        Assert.DoesNotContain(GeminiUpstreamFixture.Key, result.Failure!.Detail, StringComparison.Ordinal);
        Assert.Null(result.Body);
    }

    [Theory]
    [MemberData(nameof(ErrorFaults))]
    public async Task OpenStreamAsync_Fault_ClassifiedWithoutUpstreamText(string fault, FailureKind expected)
    {
        var model = "gemini-stream-fault-" + fault;
        Upstream.Enqueue(model, Behavior(fault));
        using var call = GeminiCall.Simple(stream: true, model);

        var (_, status, failure) = await _fake.StreamAsync(call);

        Assert.Equal(ChunkReadStatus.Failed, status);
        Assert.Equal(expected, failure!.Kind);
        Assert.DoesNotContain(GeminiUpstreamFixture.Key, failure.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RateLimited_RetryInfoDelay_IsTheRetryAfter()
    {
        Upstream.Enqueue("gemini-429", FakeBehavior.RateLimited(TimeSpan.FromSeconds(13)));
        Upstream.Enqueue("gemini-429", FakeBehavior.RateLimited(TimeSpan.FromMilliseconds(1500)));
        using var whole = GeminiCall.Simple(stream: false, "gemini-429");
        using var streamed = GeminiCall.Simple(stream: true, "gemini-429");
        using var timeout = new CancellationTokenSource(GeminiUpstreamFixture.Guard);

        using var result = await _fake.Adapter.CompleteAsync(whole, timeout.Token);
        var (_, _, failure) = await _fake.StreamAsync(streamed);

        Assert.Equal(TimeSpan.FromSeconds(13), result.Failure!.RetryAfter);
        Assert.Equal(429, result.Failure.StatusCode);
        Assert.Equal(TimeSpan.FromMilliseconds(1500), failure!.RetryAfter);
    }

    [Fact]
    public async Task CompleteAsync_CutMidBody_ConnectionFailed()
    {
        Upstream.Enqueue("gemini-cut", FakeBehavior.CutConnection(0));
        using var call = GeminiCall.Simple(stream: false, "gemini-cut");
        using var timeout = new CancellationTokenSource(GeminiUpstreamFixture.Guard);

        using var result = await _fake.Adapter.CompleteAsync(call, timeout.Token);

        Assert.Equal(FailureKind.ConnectionFailed, result.Failure!.Kind);
    }

    [Fact]
    public async Task OpenStreamAsync_CutAfterTwoEvents_TwoChunksThenStreamCut()
    {
        Upstream.Enqueue("gemini-stream-cut", FakeBehavior.CutConnection(2) with { ChunkDelay = CutDelay });
        using var call = GeminiCall.Simple(stream: true, "gemini-stream-cut");

        var (chunks, status, failure) = await _fake.StreamAsync(call);

        Assert.Equal(2, chunks.Count);
        Assert.Equal(ChunkReadStatus.Failed, status);
        Assert.Equal(FailureKind.StreamCut, failure!.Kind);
    }

    [Fact]
    public async Task OpenStreamAsync_InBandErrorAfterOneEvent_OneChunkThenServerError()
    {
        Upstream.Enqueue("gemini-stream-inband", FakeBehavior.InBandError(1));
        using var call = GeminiCall.Simple(stream: true, "gemini-stream-inband");

        var (chunks, status, failure) = await _fake.StreamAsync(call);

        Assert.Single(chunks);
        Assert.Equal(ChunkReadStatus.Failed, status);
        Assert.Equal(FailureKind.ServerError, failure!.Kind);
    }

    [Fact]
    public async Task OpenStreamAsync_StallAfterOneEvent_ReadWaitsUntilCancelled()
    {
        Upstream.Enqueue("gemini-stall", FakeBehavior.StallMidStream(1));
        using var call = GeminiCall.Simple(stream: true, "gemini-stall");
        using var attempt = new CancellationTokenSource(GeminiUpstreamFixture.Guard);

        var open = await _fake.Adapter.OpenStreamAsync(call, attempt.Token);
        await using (var source = open.Source!)
        {
            Assert.Equal(ChunkReadStatus.Chunk, await source.ReadAsync(attempt.Token));
            var stalled = source.ReadAsync(attempt.Token).AsTask();
            Assert.False(stalled.IsCompleted);
            await attempt.CancelAsync();

            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => stalled);
        }

        // Disposing the source hung up: the fake's stalled stream ends with it.
        using var idle = new CancellationTokenSource(GeminiUpstreamFixture.Guard);
        await Upstream.WaitForNoActiveStreamsAsync(idle.Token);
    }

    [Fact]
    public async Task CompleteAsync_DelayedFirstByte_CancellationEndsTheWait()
    {
        Upstream.Enqueue("gemini-slow", FakeBehavior.DelayFirstByte(TimeSpan.FromHours(1)));
        using var call = GeminiCall.Simple(stream: false, "gemini-slow");
        using var attempt = new CancellationTokenSource(GeminiUpstreamFixture.Guard);
        using var guard = new CancellationTokenSource(GeminiUpstreamFixture.Guard);

        var pending = _fake.Adapter.CompleteAsync(call, attempt.Token);
        await Upstream.WaitForRequestAsync(r => r.Model == "gemini-slow", guard.Token);
        Assert.False(pending.IsCompleted);
        await attempt.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => pending);
    }

    [Fact]
    public async Task CompleteAsync_NothingListening_ConnectionFailed()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        var adapter = new GeminiAdapter(_fake.Http, new GeminiAdapterOptions { BaseUrl = new Uri($"http://127.0.0.1:{port}/v1beta") });
        using var call = GeminiCall.Simple(stream: false, "gemini-2.5-flash");
        using var timeout = new CancellationTokenSource(GeminiUpstreamFixture.Guard);

        using var result = await adapter.CompleteAsync(call, timeout.Token);

        Assert.Equal(FailureKind.ConnectionFailed, result.Failure!.Kind);
    }

    private static FakeBehavior Behavior(string fault) => fault switch
    {
        "rate_limited" => FakeBehavior.RateLimited(TimeSpan.FromSeconds(2)),
        "insufficient_quota" => FakeBehavior.InsufficientQuota(),
        "context_length_exceeded" => FakeBehavior.ContextLengthExceeded(),
        "invalid_request" => FakeBehavior.InvalidRequest(),
        "unauthorized" => FakeBehavior.Unauthorized(),
        "forbidden" => FakeBehavior.Forbidden(),
        "model_not_found" => FakeBehavior.ModelNotFound(),
        "malformed_json" => FakeBehavior.MalformedJson(),
        "wrong_content_type" => FakeBehavior.WrongContentType(),
        "in_band_error" => FakeBehavior.InBandError(0),
        _ => FakeBehavior.Status(int.Parse(fault["status_".Length..], System.Globalization.CultureInfo.InvariantCulture)),
    };
}
