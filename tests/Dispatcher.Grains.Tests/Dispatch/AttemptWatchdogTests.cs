using Dispatcher.Grains.Dispatch;
using Dispatcher.Providers;
using Dispatcher.TestSupport;
using Xunit;

namespace Dispatcher.Grains.Tests.Dispatch;

/// <summary>The idle timeout of a streaming attempt: silence between chunks, not time since the start, ends it.</summary>
public sealed class AttemptWatchdogTests
{
    private static readonly TimeSpan Idle = TimeSpan.FromSeconds(10);
    private readonly ManualTimeProvider _clock = new();

    [Fact]
    public void IdleTimeout_ChunksKeepComing_OutlivesTheFirstDeadline()
    {
        using var watchdog = Start();

        for (var i = 0; i < 5; i++)
        {
            _clock.Advance(TimeSpan.FromSeconds(6));
            watchdog.Kick();
        }

        Assert.Equal(FailureKind.None, watchdog.Expired);
        Assert.False(watchdog.Token.IsCancellationRequested);
    }

    [Fact]
    public void IdleTimeout_SilenceAfterTheLastChunk_ExpiresExactlyThenAsStalled()
    {
        using var watchdog = Start();
        _clock.Advance(TimeSpan.FromSeconds(7));
        watchdog.Kick();

        _clock.Advance(Idle - TimeSpan.FromTicks(1));
        Assert.Equal(FailureKind.None, watchdog.Expired);

        _clock.Advance(TimeSpan.FromTicks(1));
        Assert.Equal(FailureKind.StreamStalled, watchdog.Expired);
        Assert.True(watchdog.Token.IsCancellationRequested);
    }

    [Fact]
    public void IdleTimeout_NoChunkAtAll_ExpiresAfterOneIdlePeriod()
    {
        using var watchdog = Start();

        _clock.Advance(Idle);

        Assert.Equal(FailureKind.StreamStalled, watchdog.Expired);
    }

    private AttemptWatchdog Start()
    {
        var watchdog = new AttemptWatchdog(_clock, TimeSpan.FromHours(1), CancellationToken.None);
        watchdog.StartIdleTimeout(Idle);
        return watchdog;
    }
}
