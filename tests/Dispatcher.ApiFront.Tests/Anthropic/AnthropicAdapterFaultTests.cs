using System.Globalization;
using Dispatcher.FakeUpstream;
using Dispatcher.FakeUpstream.Anthropic;
using Dispatcher.Providers;
using Dispatcher.Providers.Anthropic;

namespace Dispatcher.ApiFront.Tests.Anthropic;

/// <summary>Every fault FakeUpstream's Anthropic endpoint injects, classified by the adapter over real HTTP.</summary>
public sealed class AnthropicAdapterFaultTests : IClassFixture<AnthropicUpstreamFixture>
{
    private const string Model = "claude-sonnet-4-5";
    private const string Chat = """{"model":"sonnet","messages":[{"role":"user","content":"Say hello."}]}""";
    private const string StreamChat = """{"model":"sonnet","stream":true,"messages":[{"role":"user","content":"Say hello."}]}""";

    private readonly AnthropicUpstreamFixture _fixture;

    public AnthropicAdapterFaultTests(AnthropicUpstreamFixture fixture)
    {
        _fixture = fixture;
        _fixture.Upstream.Reset();
    }

    private FakeUpstreamServer Upstream => _fixture.Upstream;

    private AnthropicAdapter Adapter => _fixture.Adapter;

    public static TheoryData<string, FailureKind> StatusFaults => new()
    {
        { "status-400", FailureKind.InvalidRequest },
        { "invalid-request", FailureKind.InvalidRequest },
        { "status-401", FailureKind.AuthFailed },
        { "unauthorized", FailureKind.AuthFailed },
        { "forbidden", FailureKind.AuthFailed },
        { "model-not-found", FailureKind.ModelNotFound },
        { "status-413", FailureKind.ContextOverflow },
        { "request-too-large", FailureKind.ContextOverflow },
        { "context-length", FailureKind.ContextOverflow },
        { "prompt-too-long", FailureKind.ContextOverflow },
        { "insufficient-quota", FailureKind.QuotaExhausted },
        { "credit-balance", FailureKind.QuotaExhausted },
        { "billing", FailureKind.QuotaExhausted },
        { "content-filter", FailureKind.ContentFiltered },
        { "status-429", FailureKind.RateLimited },
        { "status-500", FailureKind.ServerError },
        { "status-502", FailureKind.ServerError },
        { "status-503", FailureKind.ServerError },
        { "status-504", FailureKind.Timeout },
        { "gateway-timeout", FailureKind.Timeout },
        { "status-529", FailureKind.ServerError },
        { "overloaded", FailureKind.ServerError },
        { "wrong-content-type", FailureKind.InvalidResponse },
    };

    [Theory]
    [MemberData(nameof(StatusFaults))]
    public async Task Complete_Fault_IsClassified(string fault, FailureKind expected)
    {
        Upstream.Enqueue(Model, Behavior(fault));

        using var result = await Adapter.CompleteAsync(AnthropicUpstreamFixture.Call(Chat, Model), CancellationToken.None);

        Assert.Equal(expected, result.Failure?.Kind);
        Assert.Null(result.Body);
        Assert.DoesNotContain(AnthropicUpstreamFixture.ApiKey, result.Failure!.Detail, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(StatusFaults))]
    public async Task OpenStream_Fault_IsClassifiedBeforeAnyChunk(string fault, FailureKind expected)
    {
        Upstream.Enqueue(Model, Behavior(fault));

        var open = await Adapter.OpenStreamAsync(AnthropicUpstreamFixture.Call(StreamChat, Model), CancellationToken.None);

        Assert.Null(open.Source);
        Assert.Equal(expected, open.Failure?.Kind);
    }

    [Fact]
    public async Task Complete_RateLimited_CarriesRetryAfterAndTheSpentWindow()
    {
        Upstream.Enqueue(Model, FakeBehavior.RateLimited(TimeSpan.FromSeconds(3)));

        using var result = await Adapter.CompleteAsync(AnthropicUpstreamFixture.Call(Chat, Model), CancellationToken.None);

        Assert.Equal(FailureKind.RateLimited, result.Failure?.Kind);
        Assert.Equal(429, result.Failure!.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(3), result.Failure.RetryAfter);
        Assert.True(result.RateLimits.Exhausted);
        Assert.Equal(0, result.RateLimits.RemainingRequests);
        Assert.InRange(result.RateLimits.ResetAfter!.Value, TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task Complete_MalformedJson_IsAnInvalidResponse()
    {
        Upstream.Enqueue(Model, FakeBehavior.MalformedJson());

        using var result = await Adapter.CompleteAsync(AnthropicUpstreamFixture.Call(Chat, Model), CancellationToken.None);

        Assert.Equal(FailureKind.InvalidResponse, result.Failure?.Kind);
    }

    [Fact]
    public async Task Complete_InBandError_IsTheErrorItNames()
    {
        Upstream.Enqueue(Model, FakeBehavior.InBandError(0));

        using var result = await Adapter.CompleteAsync(AnthropicUpstreamFixture.Call(Chat, Model), CancellationToken.None);

        Assert.Equal(FailureKind.ServerError, result.Failure?.Kind);
    }

    [Fact]
    public async Task Complete_ConnectionCutMidBody_IsAConnectionFailure()
    {
        Upstream.Enqueue(Model, FakeBehavior.CutConnection(0));

        using var result = await Adapter.CompleteAsync(AnthropicUpstreamFixture.Call(Chat, Model), CancellationToken.None);

        Assert.Equal(FailureKind.ConnectionFailed, result.Failure?.Kind);
    }

    [Fact]
    public async Task Complete_DelayedFirstByte_StillAnswers()
    {
        Upstream.Enqueue(Model, FakeBehavior.DelayFirstByte(TimeSpan.FromMilliseconds(50)));

        using var result = await Adapter.CompleteAsync(AnthropicUpstreamFixture.Call(Chat, Model), CancellationToken.None);

        Assert.Null(result.Failure);
        Assert.True(result.Facts.HasOutput);
    }

    [Theory]
    [InlineData("malformed", FailureKind.InvalidResponse, "")]
    [InlineData("cut", FailureKind.StreamCut, "Hello from")]
    [InlineData("in-band", FailureKind.ServerError, "Hello from")]
    public async Task OpenStream_FaultAfterTheHeaders_FailsTheStream(string fault, FailureKind expected, string textBefore)
    {
        Upstream.Enqueue(Model, fault switch
        {
            "malformed" => FakeBehavior.MalformedJson(),
            // Spaced events, so the reset that ends the connection cannot overtake the bytes before it.
            "cut" => FakeBehavior.CutConnection(1) with { ChunkDelay = TimeSpan.FromMilliseconds(100) },
            _ => FakeBehavior.InBandError(1),
        });

        var open = await Adapter.OpenStreamAsync(AnthropicUpstreamFixture.Call(StreamChat, Model), CancellationToken.None);
        Assert.True(open.Source is not null, open.Failure?.ToString());
        await using var source = open.Source;
        var (chunks, status) = await AnthropicChunks.ReadAllAsync(source);

        Assert.Equal(ChunkReadStatus.Failed, status);
        Assert.Equal(expected, source.Failure?.Kind);
        Assert.Equal(textBefore, AnthropicChunks.Text(chunks));
    }

    [Fact]
    public async Task OpenStream_Stall_WaitsUntilCancelledAndReleasesTheUpstream()
    {
        Upstream.Enqueue(Model, FakeBehavior.StallMidStream(1));
        var open = await Adapter.OpenStreamAsync(AnthropicUpstreamFixture.Call(StreamChat, Model), CancellationToken.None);
        var source = open.Source!;
        Assert.Equal(ChunkReadStatus.Chunk, await source.ReadAsync(CancellationToken.None));
        Assert.Equal(ChunkReadStatus.Chunk, await source.ReadAsync(CancellationToken.None));

        using var giveUp = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await source.ReadAsync(giveUp.Token));
        await source.DisposeAsync();

        using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await Upstream.WaitForNoActiveStreamsAsync(wait.Token);
        Assert.Equal(0, Upstream.ActiveStreams);
    }

    private static FakeBehavior Behavior(string fault) => fault switch
    {
        "invalid-request" => FakeBehavior.InvalidRequest(),
        "unauthorized" => FakeBehavior.Unauthorized(),
        "forbidden" => FakeBehavior.Forbidden(),
        "model-not-found" => FakeBehavior.ModelNotFound(),
        "request-too-large" => AnthropicFaults.RequestTooLarge(),
        "context-length" => FakeBehavior.ContextLengthExceeded(),
        "prompt-too-long" => AnthropicFaults.PromptTooLong(),
        "insufficient-quota" => FakeBehavior.InsufficientQuota(),
        "credit-balance" => AnthropicFaults.CreditBalanceTooLow(),
        "billing" => AnthropicFaults.BillingError(),
        "content-filter" => FakeBehavior.ContentFilter(),
        "gateway-timeout" => AnthropicFaults.GatewayTimeout(),
        "overloaded" => AnthropicFaults.Overloaded(),
        "wrong-content-type" => FakeBehavior.WrongContentType(),
        _ when fault.StartsWith("status-", StringComparison.Ordinal) => FakeBehavior.Status(int.Parse(fault["status-".Length..], CultureInfo.InvariantCulture)),
        _ => throw new ArgumentOutOfRangeException(nameof(fault), fault, null),
    };
}
