using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;
using Dispatcher.Benchmarks.Harness;

namespace Dispatcher.Benchmarks.Soak;

/// <summary>
/// Soak mode (not CI): Dispatcher as its own process in front of FakeUpstream, driven at a fixed rate for a long time
/// with Polly chaos faults on the primary (20% connection faults, 20% injected 503s) and a healthy fallback, half
/// the requests streaming. Samples the process's RSS, open handles (/proc/&lt;pid&gt;/fd) and threads, prints a table,
/// and fails (exit 3) when a client saw an error or the figures did not stay flat after warm-up.
/// </summary>
internal static class SoakRun
{
    private const int MaxInFlight = 64;

    public static async Task<int> RunAsync(string[] args)
    {
        var options = SoakOptions.Parse(args);
        var paths = RepoPaths.Find(new BenchOptions());
        var work = Directory.CreateTempSubdirectory("dispatcher-soak-").FullName;
        using var http = new HttpClient(new SocketsHttpHandler { UseProxy = false, MaxConnectionsPerServer = MaxInFlight }) { Timeout = TimeSpan.FromSeconds(30) };
        var upstreamUrl = new Uri($"http://127.0.0.1:{FreePort()}/");
        var dispatcherUrl = new Uri($"http://127.0.0.1:{FreePort()}/");
        await using var upstream = ChildProcess.Start("fake-upstream", "dotnet",
            [paths.FakeUpstreamDll, "--urls", upstreamUrl.ToString().TrimEnd('/'), "--stream-chunks", "10"], Path.Combine(work, "fake-upstream.log"));
        await upstream.WaitReadyAsync(http, new Uri(upstreamUrl, "v1/models"), TimeSpan.FromSeconds(60));
        var config = WriteConfig(Path.Combine(work, "dispatcher.json"), work, upstreamUrl);
        await using var dispatcher = ChildProcess.Start("dispatcher", "dotnet",
            [paths.DispatcherDll, "--urls", dispatcherUrl.ToString().TrimEnd('/'), "--config", config], Path.Combine(work, "dispatcher.log"),
            new Dictionary<string, string> { ["ASPNETCORE_ENVIRONMENT"] = "Development" }, Path.GetDirectoryName(paths.DispatcherDll));
        await dispatcher.WaitReadyAsync(http, new Uri(dispatcherUrl, "healthz"), TimeSpan.FromSeconds(60));
        Console.WriteLine($"soak: {options.Duration.TotalSeconds:0} s at {options.RequestsPerSecond} req/s, half streaming, chaos on the primary; logs in {work}");
        Console.WriteLine("| t (s) | sent | ok | errors | RSS (MB) | handles | threads |");
        Console.WriteLine("|---:|---:|---:|---:|---:|---:|---:|");

        var samples = await DriveAsync(http, dispatcherUrl, dispatcher.Pid, options);
        var (errors, flat) = Verdict(samples);

        // Thirty seconds show that the soak works, not whether memory is flat: the GC heap is still finding its size.
        return errors == 0 && (flat || options.Smoke) ? 0 : 3;
    }

    private static async Task<List<SoakSample>> DriveAsync(HttpClient http, Uri baseUrl, int pid, SoakOptions options)
    {
        long sent = 0, ok = 0, errors = 0;
        var samples = new List<SoakSample>();
        var clock = Stopwatch.StartNew();
        using var inFlight = new SemaphoreSlim(MaxInFlight);
        var pending = new List<Task>();
        var interval = TimeSpan.FromSeconds(1.0 / options.RequestsPerSecond);
        var nextSample = TimeSpan.Zero;
        using var ticker = new PeriodicTimer(interval);
        while (clock.Elapsed < options.Duration)
        {
            if (clock.Elapsed >= nextSample)
            {
                var sample = Sample(pid, clock.Elapsed, Interlocked.Read(ref sent), Interlocked.Read(ref ok), Interlocked.Read(ref errors));
                samples.Add(sample);
                Print(sample);
                nextSample += options.SampleEvery;
            }

            await ticker.WaitForNextTickAsync();
            if (!await inFlight.WaitAsync(0))
            {
                // The fixed rate is the point: a request that cannot start now is counted as an error, not queued.
                Interlocked.Increment(ref errors);
                continue;
            }

            var stream = (Interlocked.Increment(ref sent) & 1) == 0;
            pending.Add(SendAsync(http, baseUrl, stream).ContinueWith(t =>
            {
                inFlight.Release();
                Interlocked.Increment(ref t.Result ? ref ok : ref errors);
            }, TaskScheduler.Default));
            pending.RemoveAll(static t => t.IsCompleted);
        }

        await Task.WhenAll(pending);
        var last = Sample(pid, clock.Elapsed, sent, ok, errors);
        samples.Add(last);
        Print(last);
        return samples;
    }

    private static async Task<bool> SendAsync(HttpClient http, Uri baseUrl, bool stream)
    {
        var body = "{\"model\":\"soak\",\"messages\":[{\"role\":\"user\",\"content\":\"Soak test.\"}]" + (stream ? ",\"stream\":true}" : "}");
        try
        {
            using var content = new StringContent(body, Encoding.UTF8, "application/json");
            using var response = await http.PostAsync(new Uri(baseUrl, "v1/chat/completions"), content);
            var text = await response.Content.ReadAsStringAsync();
            return response.StatusCode == HttpStatusCode.OK && (stream ? text.EndsWith("data: [DONE]\n\n", StringComparison.Ordinal) : text.Contains("\"choices\"", StringComparison.Ordinal));
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or IOException)
        {
            return false;
        }
    }

    private static SoakSample Sample(int pid, TimeSpan at, long sent, long ok, long errors) =>
        new(at, sent, ok, errors, ProcStat.StatusMB(pid, "VmRSS"), Directory.GetFileSystemEntries($"/proc/{pid}/fd").Length, Threads(pid));

    private static int Threads(int pid)
    {
        foreach (var line in File.ReadLines($"/proc/{pid}/status"))
        {
            if (line.StartsWith("Threads:", StringComparison.Ordinal))
            {
                return int.Parse(line["Threads:".Length..].Trim(), CultureInfo.InvariantCulture);
            }
        }

        return -1;
    }

    private static void Print(SoakSample s) => Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"| {s.At.TotalSeconds:0} | {s.Sent} | {s.Ok} | {s.Errors} | {s.RssMB:0.0} | {s.Handles} | {s.Threads} |"));

    /// <summary>Flat: after the first third (warm-up), RSS grows less than 15%, handles and threads by at most 16.</summary>
    private static (long Errors, bool Flat) Verdict(List<SoakSample> samples)
    {
        var warm = samples[samples.Count / 3];
        var last = samples[^1];
        var rssGrowth = (last.RssMB - warm.RssMB) / warm.RssMB;
        var flat = rssGrowth < 0.15 && last.Handles - warm.Handles <= 16 && last.Threads - warm.Threads <= 16;
        var peakRss = samples.Max(static s => s.RssMB);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"soak: {last.Sent} requests, {last.Ok} ok, {last.Errors} errors; after warm-up RSS {warm.RssMB:0.0} -> {last.RssMB:0.0} MB ({rssGrowth:+0.0%;-0.0%}), "
            + $"peak {peakRss:0.0} MB; handles {warm.Handles} -> {last.Handles}; threads {warm.Threads} -> {last.Threads}: {(flat ? "flat" : "NOT flat")}"));
        return (last.Errors, flat);
    }

    private static string WriteConfig(string path, string dataDirectory, Uri upstream)
    {
        JsonObject Provider(JsonObject? chaos) => new()
        {
            ["Kind"] = "openai",
            ["BaseUrl"] = new Uri(upstream, "v1").ToString(),
            ["ApiKeys"] = new JsonArray("sk-soak"),
            ["Breaker"] = new JsonObject { ["MinimumThroughput"] = int.MaxValue },
            ["Chaos"] = chaos,
        };

        var config = new JsonObject
        {
            ["Dispatcher"] = new JsonObject
            {
                ["DataDirectory"] = dataDirectory,
                ["Chaos"] = new JsonObject { ["Enabled"] = true, ["Seed"] = 20261122 },
                ["Providers"] = new JsonObject
                {
                    ["flaky"] = Provider(new JsonObject { ["FaultRate"] = 0.2, ["OutcomeRate"] = 0.2, ["OutcomeStatus"] = 503 }),
                    ["steady"] = Provider(null),
                },
                ["Models"] = new JsonObject
                {
                    ["flaky"] = new JsonObject { ["Provider"] = "flaky", ["UpstreamModel"] = "gpt-4o-mini" },
                    ["steady"] = new JsonObject { ["Provider"] = "steady", ["UpstreamModel"] = "gpt-4o-mini" },
                },
                ["Routes"] = new JsonObject { ["soak"] = new JsonObject { ["Chain"] = new JsonArray("flaky", "steady") } },
            },
        };
        File.WriteAllText(path, config.ToJsonString());
        return path;
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
