using Dispatcher.Grains.Chaos;
using Dispatcher.Grains.Configuration;
using Dispatcher.Grains.Tests.Chat;
using Dispatcher.Providers;
using Dispatcher.Providers.Chaos;
using Dispatcher.TestSupport;
using Xunit;

namespace Dispatcher.Grains.Tests.Chaos;

public sealed class ChaosAdapterTests
{
    private readonly ManualTimeProvider _clock = new();
    private readonly CountingAdapter _inner = new();

    [Fact]
    public async Task Complete_FaultRateOne_ConnectionFailedMarkedInjectedAndNoUpstreamCall()
    {
        var adapter = Wrap(new ChaosSettings(FaultRate: 1));

        using var result = await adapter.CompleteAsync(Call(), CancellationToken.None);

        Assert.Equal(FailureKind.ConnectionFailed, result.Failure!.Kind);
        Assert.StartsWith(ChaosAdapter.DetailPrefix, result.Failure.Detail, StringComparison.Ordinal);
        Assert.Equal(0, _inner.Calls);
    }

    [Theory]
    [InlineData(503, FailureKind.ServerError)]
    [InlineData(429, FailureKind.RateLimited)]
    [InlineData(504, FailureKind.Timeout)]
    [InlineData(401, FailureKind.AuthFailed)]
    public async Task OpenStream_OutcomeRateOne_StatusClassifiedLikeARealOne(int status, FailureKind kind)
    {
        var adapter = Wrap(new ChaosSettings(OutcomeRate: 1, OutcomeStatus: status));

        var result = await adapter.OpenStreamAsync(Call(), CancellationToken.None);

        Assert.Equal(kind, result.Failure!.Kind);
        Assert.Equal(status, result.Failure.StatusCode);
        Assert.Contains($"HTTP {status}", result.Failure.Detail, StringComparison.Ordinal);
        Assert.Equal(0, _inner.Calls);
    }

    [Fact]
    public async Task Complete_LatencyRateOne_WaitsOnTheInjectedClockThenCallsTheUpstream()
    {
        var adapter = Wrap(new ChaosSettings(LatencyRate: 1, Latency: TimeSpan.FromSeconds(3)));

        var pending = adapter.CompleteAsync(Call(), CancellationToken.None);
        await _clock.WaitForTimerAsync(TimeSpan.FromSeconds(3), new CancellationTokenSource(TimeSpan.FromSeconds(10)).Token);
        Assert.Equal(0, _inner.Calls);
        _clock.Advance(TimeSpan.FromSeconds(3));
        using var result = await pending;

        Assert.Null(result.Failure);
        Assert.Equal(1, _inner.Calls);
    }

    [Fact]
    public async Task Complete_SeededHalfRate_InjectsAboutHalfAndTheSameOnEveryRun()
    {
        async Task<int> RunAsync()
        {
            var control = Control(seed: 42, new ProviderChaosOptions { FaultRate = 0.5 });
            var adapter = control.Wrap("p", new CountingAdapter());
            var injected = 0;
            for (var i = 0; i < 400; i++)
            {
                using var result = await adapter.CompleteAsync(Call(), CancellationToken.None);
                injected += result.Failure is null ? 0 : 1;
            }

            return injected;
        }

        var first = await RunAsync();
        var second = await RunAsync();

        Assert.Equal(first, second);
        Assert.InRange(first, 150, 250);
    }

    [Fact]
    public async Task Control_ChaosDisabled_DoesNotWrapAndRefusesChanges()
    {
        var control = new ChaosControl(new ChaosOptions(), new Dictionary<string, ProviderOptions> { ["p"] = new() { Chaos = new() { FaultRate = 1 } } }, _clock);

        var adapter = control.Wrap("p", _inner);
        using var result = await adapter.CompleteAsync(Call(), CancellationToken.None);

        Assert.Same(_inner, adapter);
        Assert.Null(result.Failure);
        Assert.False(control.TrySet("p", new ChaosSettings(FaultRate: 1)));
    }

    [Fact]
    public async Task Control_Clear_StopsInjectionAtOnce()
    {
        var control = Control(seed: 1, new ProviderChaosOptions { FaultRate = 1 });
        var adapter = control.Wrap("p", _inner);
        using var before = await adapter.CompleteAsync(Call(), CancellationToken.None);

        control.Clear();
        using var after = await adapter.CompleteAsync(Call(), CancellationToken.None);

        Assert.NotNull(before.Failure);
        Assert.Null(after.Failure);
        Assert.Equal(1, _inner.Calls);
    }

    private IChatAdapter Wrap(ChaosSettings settings)
    {
        var control = Control(seed: 7, new ProviderChaosOptions());
        Assert.True(control.TrySet("p", settings));
        return control.Wrap("p", _inner);
    }

    private ChaosControl Control(int seed, ProviderChaosOptions chaos) =>
        new(new ChaosOptions { Enabled = true, Seed = seed }, new Dictionary<string, ProviderOptions> { ["p"] = new() { Chaos = chaos } }, _clock);

    private static UpstreamCall Call() =>
        new(ChatRequests.Parse("{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}"), new UpstreamModel("m"), "sk-x");

    private sealed class CountingAdapter : IChatAdapter
    {
        private int _calls;

        public int Calls => _calls;

        public Task<CompletionResult> CompleteAsync(UpstreamCall attempt, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _calls);
            return Task.FromResult(CompletionResult.Served(new PooledBuffer(16), default, default));
        }

        public Task<StreamOpenResult> OpenStreamAsync(UpstreamCall attempt, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _calls);
            return Task.FromResult(StreamOpenResult.Failed(UpstreamFailure.Of(FailureKind.ServerError, "not used")));
        }
    }
}
