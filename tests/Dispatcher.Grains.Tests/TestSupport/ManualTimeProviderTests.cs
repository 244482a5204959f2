using Dispatcher.TestSupport;
using Polly;
using Polly.Timeout;
using Xunit;

namespace Dispatcher.Grains.Tests.TestSupport;

public sealed class ManualTimeProviderTests
{
    private static readonly DateTimeOffset Start = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public void GetUtcNow_NoStartGiven_Reads2026AndMovesOnlyWithAdvance()
    {
        var time = new ManualTimeProvider();
        var before = time.GetTimestamp();

        Assert.Equal(Start, time.GetUtcNow());
        time.Advance(TimeSpan.FromSeconds(90));

        Assert.Equal(Start.AddSeconds(90), time.GetUtcNow());
        Assert.Equal(TimeSpan.FromSeconds(90), time.GetElapsedTime(before));
    }

    [Fact]
    public void SetUtcNow_Earlier_Throws()
    {
        var time = new ManualTimeProvider();

        Assert.Throws<ArgumentOutOfRangeException>(() => time.SetUtcNow(Start.AddTicks(-1)));
    }

    [Fact]
    public async Task Delay_AdvancedToDueTime_Completes()
    {
        var time = new ManualTimeProvider();
        var delay = Task.Delay(TimeSpan.FromSeconds(5), time, CancellationToken.None);

        time.Advance(TimeSpan.FromSeconds(4));
        Assert.False(delay.IsCompleted);
        time.Advance(TimeSpan.FromSeconds(1));

        Assert.True(delay.IsCompleted);
        await delay;
    }

    [Fact]
    public void CancellationTokenSource_AdvancedToDelay_Cancels()
    {
        var time = new ManualTimeProvider();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10), time);

        time.Advance(TimeSpan.FromSeconds(9));
        Assert.False(cts.IsCancellationRequested);
        time.SetUtcNow(Start.AddSeconds(10));

        Assert.True(cts.IsCancellationRequested);
    }

    [Fact]
    public async Task PollyTimeout_AdvancedPastTimeout_ThrowsTimeoutRejected()
    {
        var time = new ManualTimeProvider();
        var pipeline = new ResiliencePipelineBuilder { TimeProvider = time }.AddTimeout(TimeSpan.FromSeconds(2)).Build();
        var call = pipeline.ExecuteAsync(static async ct => await Task.Delay(Timeout.InfiniteTimeSpan, ct)).AsTask();

        time.Advance(TimeSpan.FromSeconds(1));
        Assert.False(call.IsCompleted);
        time.Advance(TimeSpan.FromSeconds(1));

        await Assert.ThrowsAsync<TimeoutRejectedException>(() => call);
    }

    [Fact]
    public void CreateTimer_Periodic_FiresOncePerElapsedPeriodAtItsDueTime()
    {
        var time = new ManualTimeProvider();
        var firedAt = new List<DateTimeOffset>();
        using var timer = time.CreateTimer(
            _ => firedAt.Add(time.GetUtcNow()), null, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2));

        time.Advance(TimeSpan.FromSeconds(6));

        Assert.Equal([Start.AddSeconds(1), Start.AddSeconds(3), Start.AddSeconds(5)], firedAt);
        Assert.Equal(Start.AddSeconds(6), time.GetUtcNow());
    }

    [Fact]
    public void Advance_SeveralTimersDue_FiresInDueTimeOrder()
    {
        var time = new ManualTimeProvider();
        var fired = new List<string>();
        using var late = time.CreateTimer(_ => fired.Add("late"), null, TimeSpan.FromSeconds(3), Timeout.InfiniteTimeSpan);
        using var early = time.CreateTimer(_ => fired.Add("early"), null, TimeSpan.FromSeconds(1), Timeout.InfiniteTimeSpan);

        time.Advance(TimeSpan.FromSeconds(5));

        Assert.Equal(["early", "late"], fired);
    }

    [Fact]
    public void Advance_CallbackSchedulesTimerWithinTheAdvance_FiresItInTheSameAdvance()
    {
        var time = new ManualTimeProvider();
        var firedAt = new List<DateTimeOffset>();
        ITimer? second = null;
        using var first = time.CreateTimer(
            _ => second = time.CreateTimer(
                _ => firedAt.Add(time.GetUtcNow()), null, TimeSpan.FromSeconds(2), Timeout.InfiniteTimeSpan),
            null,
            TimeSpan.FromSeconds(1),
            Timeout.InfiniteTimeSpan);

        time.Advance(TimeSpan.FromSeconds(5));

        Assert.Equal([Start.AddSeconds(3)], firedAt);
        second?.Dispose();
    }

    [Fact]
    public void Change_NewDueTime_FiresAtNewTimeOnly()
    {
        var time = new ManualTimeProvider();
        var fired = 0;
        using var timer = time.CreateTimer(_ => fired++, null, TimeSpan.FromSeconds(1), Timeout.InfiniteTimeSpan);

        Assert.True(timer.Change(TimeSpan.FromSeconds(10), Timeout.InfiniteTimeSpan));
        time.Advance(TimeSpan.FromSeconds(9));
        Assert.Equal(0, fired);
        time.Advance(TimeSpan.FromSeconds(1));

        Assert.Equal(1, fired);
    }

    [Fact]
    public void Change_InfiniteDueTime_StopsTimer()
    {
        var time = new ManualTimeProvider();
        var fired = 0;
        using var timer = time.CreateTimer(_ => fired++, null, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1));

        timer.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        time.Advance(TimeSpan.FromSeconds(5));

        Assert.Equal(0, fired);
    }

    [Fact]
    public void Change_ZeroDueTime_FiresAtOnce()
    {
        var time = new ManualTimeProvider();
        var fired = 0;
        using var timer = time.CreateTimer(_ => fired++, null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);

        timer.Change(TimeSpan.Zero, Timeout.InfiniteTimeSpan);

        Assert.Equal(1, fired);
    }

    [Fact]
    public void Dispose_ScheduledTimer_NeverFiresAndRefusesChange()
    {
        var time = new ManualTimeProvider();
        var fired = 0;
        var timer = time.CreateTimer(_ => fired++, null, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1));

        timer.Dispose();
        time.Advance(TimeSpan.FromSeconds(5));

        Assert.Equal(0, fired);
        Assert.False(timer.Change(TimeSpan.FromSeconds(1), Timeout.InfiniteTimeSpan));
    }

    [Fact]
    public void Advance_TimersCreatedOnOtherThreadsMeanwhile_FiresEachOnce()
    {
        var time = new ManualTimeProvider();
        var fired = 0;
        var timers = new ITimer[1000];

        Parallel.Invoke(
            () => Parallel.For(0, timers.Length, i => timers[i] = time.CreateTimer(
                _ => Interlocked.Increment(ref fired), null, TimeSpan.FromMilliseconds(i % 7), Timeout.InfiniteTimeSpan)),
            () =>
            {
                for (var i = 0; i < 1000; i++)
                {
                    time.Advance(TimeSpan.FromMilliseconds(1));
                }
            });
        time.Advance(TimeSpan.FromSeconds(1));

        Assert.Equal(timers.Length, fired);
        foreach (var timer in timers)
        {
            timer.Dispose();
        }
    }
}
