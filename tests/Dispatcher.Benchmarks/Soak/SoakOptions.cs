using System.Globalization;

namespace Dispatcher.Benchmarks.Soak;

/// <summary>
/// The soak run's settings: <c>--soak</c> is ten minutes at 40 requests a second, <c>--soak-smoke</c> thirty seconds;
/// <c>--soak-seconds N</c> and <c>--soak-rate N</c> override either.
/// </summary>
internal sealed record SoakOptions(TimeSpan Duration, int RequestsPerSecond, TimeSpan SampleEvery, bool Smoke)
{
    public static bool Wants(string[] args) => args.Contains("--soak") || args.Contains("--soak-smoke");

    public static SoakOptions Parse(string[] args)
    {
        var smoke = args.Contains("--soak-smoke");
        var options = smoke
            ? new SoakOptions(TimeSpan.FromSeconds(30), 40, TimeSpan.FromSeconds(3), true)
            : new SoakOptions(TimeSpan.FromMinutes(10), 40, TimeSpan.FromSeconds(30), false);
        for (var i = 0; i < args.Length - 1; i++)
        {
            if (args[i] == "--soak-seconds")
            {
                options = options with { Duration = TimeSpan.FromSeconds(int.Parse(args[i + 1], CultureInfo.InvariantCulture)) };
            }
            else if (args[i] == "--soak-rate")
            {
                options = options with { RequestsPerSecond = int.Parse(args[i + 1], CultureInfo.InvariantCulture) };
            }
        }

        return options;
    }
}
