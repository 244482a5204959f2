using System.Globalization;

namespace Dispatcher.Benchmarks.Harness;

/// <summary>
/// Command line of the harness: <c>[--duration 3] [--rounds 3] [--concurrency 1,16,64] [--probe-requests 200]
/// [--warmup 20] [--smoke] [--portkey] [--wait-quiet SECONDS] [--no-fallback-live] [--no-cluster] [--dispatcher path/to/Dispatcher.ApiFront.dll]
/// [--dispatcher-env KEY=VALUE]... [--results dir]</c>.
/// </summary>
internal sealed record BenchOptions
{
    public const string Usage =
        "usage: Dispatcher.Benchmarks [--duration SECONDS] [--rounds N] [--concurrency 1,16,64] [--probe-requests N] [--warmup SECONDS]\n" +
        "                             [--smoke] [--portkey] [--wait-quiet SECONDS] [--no-fallback-live] [--no-cluster] [--dispatcher DLL]\n" +
        "                             [--dispatcher-env KEY=VALUE]... [--results DIR]\n" +
        "       Dispatcher.Benchmarks forwarder --urls http://127.0.0.1:PORT --upstream http://127.0.0.1:PORT";

    /// <summary>Seconds of load per cell (target × stream mode × concurrency × round).</summary>
    public double DurationSeconds { get; init; } = 3;

    public int Rounds { get; init; } = 3;

    public IReadOnlyList<int> Concurrency { get; init; } = [1, 16, 64];

    /// <summary>Requests per sequential pass (TTFB, overhead header), per target, stream mode and round.</summary>
    public int ProbeRequests { get; init; } = 200;

    /// <summary>Seconds of unmeasured load per target and stream mode before round 1 (JIT tiering, pools).</summary>
    public double WarmupSeconds { get; init; } = 20; // tiered PGO needs about 20 s of load to settle (README, Performance)

    /// <summary>Seconds of the dedicated 64-stream memory check.</summary>
    public double RssCheckSeconds { get; init; } = 5;

    public bool Smoke { get; init; }

    /// <summary>Seconds to wait, at most, for the machine to be under 10% busy before starting (other builds and
    /// tests on the same cores disturb the figures).</summary>
    public int WaitQuietSeconds { get; init; }

    public bool Portkey { get; init; }

    /// <summary>Whether the fallback route with a breaker that never opens (every request calls the failing
    /// upstream) is measured besides the steady-state fallback route.</summary>
    public bool FallbackLive { get; init; } = true;

    /// <summary>Whether the <c>cluster</c> target (a Dispatcher node in cluster mode on a throwaway PostgreSQL) runs;
    /// it is skipped anyway, with the reason printed, when PostgreSQL can't be installed or started.</summary>
    public bool Cluster { get; init; } = true;

    public string? DispatcherDll { get; init; }

    /// <summary>Extra environment variables of every Dispatcher process (<c>--dispatcher-env KEY=VALUE</c>, repeatable), to
    /// measure a setting without editing a file, e.g. <c>Logging__LogLevel__Default=Warning</c>.</summary>
    public IReadOnlyDictionary<string, string> DispatcherEnvironment { get; init; } = new Dictionary<string, string>();

    public string? ResultsDirectory { get; init; }

    public static BenchOptions Parse(string[] args)
    {
        var options = new BenchOptions();
        for (var i = 0; i < args.Length; i++)
        {
            var name = args[i];
            string Value() => i + 1 < args.Length ? args[++i] : throw new FormatException($"{name} needs a value");
            options = name switch
            {
                "--duration" => options with { DurationSeconds = Number(name, Value(), 0.5) },
                "--rounds" => options with { Rounds = (int)Number(name, Value(), 1) },
                "--concurrency" => options with { Concurrency = Value().Split(',').Select(c => (int)Number(name, c, 1)).ToArray() },
                "--probe-requests" => options with { ProbeRequests = (int)Number(name, Value(), 1) },
                "--warmup" => options with { WarmupSeconds = Number(name, Value(), 0) },
                "--smoke" => options with
                {
                    Smoke = true, Rounds = 1, DurationSeconds = 2, Concurrency = [1], ProbeRequests = 30, WarmupSeconds = 0,
                },
                "--portkey" => options with { Portkey = true },
                "--wait-quiet" => options with { WaitQuietSeconds = (int)Number(name, Value(), 0) },
                "--no-fallback-live" => options with { FallbackLive = false },
                "--no-cluster" => options with { Cluster = false },
                "--dispatcher" => options with { DispatcherDll = Value() },
                "--dispatcher-env" => options with { DispatcherEnvironment = WithVariable(options.DispatcherEnvironment, name, Value()) },
                "--results" => options with { ResultsDirectory = Value() },
                _ => throw new FormatException($"unknown option {name}"),
            };
        }

        return options;
    }

    private static Dictionary<string, string> WithVariable(IReadOnlyDictionary<string, string> variables, string name, string value)
    {
        var equals = value.IndexOf('=', StringComparison.Ordinal);
        if (equals <= 0)
        {
            throw new FormatException($"{name} takes KEY=VALUE, got '{value}'");
        }

        return new Dictionary<string, string>(variables, StringComparer.Ordinal) { [value[..equals]] = value[(equals + 1)..] };
    }

    private static double Number(string name, string value, double minimum) =>
        double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) && number >= minimum
            ? number
            : throw new FormatException($"{name} must be a number >= {minimum}, got '{value}'");
}
