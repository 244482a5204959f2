using System.Globalization;

namespace Dispatcher.Benchmarks.Harness;

/// <summary>The whole machine's CPU from /proc/stat, to see how much of a measurement other work took.</summary>
internal static class MachineCpu
{
    /// <summary>Busy CPU time (user, nice, system, irq, softirq, steal) summed over all cores, in microseconds.</summary>
    public static double BusyMicroseconds()
    {
        var fields = File.ReadLines("/proc/stat").First(l => l.StartsWith("cpu ", StringComparison.Ordinal))
            .Split(' ', StringSplitOptions.RemoveEmptyEntries);
        long Field(int i) => long.Parse(fields[i], CultureInfo.InvariantCulture);
        var ticks = Field(1) + Field(2) + Field(3) + Field(6) + Field(7) + Field(8);
        return ticks * 10_000.0;
    }

    /// <summary>Share (0..100) of all cores that was busy over <paramref name="window"/>.</summary>
    public static async Task<double> BusyPercentAsync(TimeSpan window)
    {
        var before = BusyMicroseconds();
        await Task.Delay(window);
        return (BusyMicroseconds() - before) / (window.TotalMicroseconds * Environment.ProcessorCount) * 100;
    }
}
