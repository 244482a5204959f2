namespace Dispatcher.Benchmarks.Reporting;

/// <summary>Order statistics over small samples.</summary>
internal static class Stats
{
    /// <summary>Linear-interpolated percentile (0..100); NaN for an empty sample.</summary>
    public static double Percentile(IEnumerable<double> values, double percentile)
    {
        var sorted = values.Where(v => !double.IsNaN(v)).Order().ToArray();
        if (sorted.Length == 0)
        {
            return double.NaN;
        }

        var rank = percentile / 100 * (sorted.Length - 1);
        var low = (int)Math.Floor(rank);
        var high = (int)Math.Ceiling(rank);
        return sorted[low] + ((sorted[high] - sorted[low]) * (rank - low));
    }

    public static double Median(IEnumerable<double> values) => Percentile(values, 50);
}
