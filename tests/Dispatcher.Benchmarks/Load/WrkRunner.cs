using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Dispatcher.Benchmarks.Harness;

namespace Dispatcher.Benchmarks.Load;

/// <summary>
/// Drives load with wrk: a native process with its own event loop, so on a small machine the generator costs far
/// less CPU per request than the servers it measures (an in-process .NET client would compete with them for the same
/// two cores and thread pool policy). A Lua script sets the POST body and prints the summary as JSON.
/// </summary>
internal sealed class WrkRunner
{
    private const string Marker = "WRKJSON ";
    private readonly string _scriptDirectory;

    public WrkRunner(string scriptDirectory)
    {
        _scriptDirectory = scriptDirectory;
        Directory.CreateDirectory(scriptDirectory);
    }

    public static bool IsInstalled()
    {
        var path = Environment.GetEnvironmentVariable("PATH") ?? string.Empty;
        return path.Split(':', StringSplitOptions.RemoveEmptyEntries).Any(dir => File.Exists(Path.Combine(dir, "wrk")));
    }

    public string WriteScript(Target target, bool stream)
    {
        var script = new StringBuilder();
        script.AppendLine("wrk.method = \"POST\"");
        script.Append("wrk.body = [==[").Append(ChatBody.For(target.Model, stream)).AppendLine("]==]");
        script.AppendLine("wrk.headers[\"Content-Type\"] = \"application/json\"");
        script.AppendLine("wrk.headers[\"Authorization\"] = \"Bearer sk-bench\"");
        foreach (var (name, value) in target.Headers)
        {
            script.Append("wrk.headers[\"").Append(name).Append("\"] = [==[").Append(value).AppendLine("]==]");
        }

        script.AppendLine("done = function(summary, latency, requests)");
        script.AppendLine("  local e = summary.errors");
        script.Append("  io.write(string.format('").Append(Marker)
            .Append("{\"requests\":%d,\"duration_us\":%d,\"p50\":%.1f,\"p90\":%.1f,\"p99\":%.1f,\"mean\":%.1f,")
            .Append("\"socket_errors\":%d,\"non2xx\":%d}\\n', summary.requests, summary.duration, latency:percentile(50), ")
            .AppendLine("latency:percentile(90), latency:percentile(99), latency.mean, e.connect + e.read + e.write + e.timeout, e.status))");
        script.AppendLine("end");

        var path = Path.Combine(_scriptDirectory, $"{target.Name}-{(stream ? "stream" : "json")}.lua");
        File.WriteAllText(path, script.ToString());
        return path;
    }

    public static async Task<WrkResult> RunAsync(Uri url, string script, int connections, TimeSpan duration)
    {
        // bash's `times` prints the CPU its children used: wrk's own cost, to tell it apart from other work on the machine.
        var start = new ProcessStartInfo("bash")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[]
        {
            "-c", "wrk \"$@\"; times", "wrk", "-t1", "-c", connections.ToString(CultureInfo.InvariantCulture),
            "-d", $"{duration.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture)}s",
            "--timeout", "10s", "-s", script, url.ToString(),
        })
        {
            start.ArgumentList.Add(argument);
        }

        using var wrk = Process.Start(start) ?? throw new InvalidOperationException("could not start wrk");
        var output = wrk.StandardOutput.ReadToEndAsync();
        var errors = wrk.StandardError.ReadToEndAsync();
        await wrk.WaitForExitAsync();
        var text = await output;
        var line = text.Split('\n').FirstOrDefault(l => l.StartsWith(Marker, StringComparison.Ordinal))
            ?? throw new InvalidOperationException($"wrk exited with {wrk.ExitCode} and no summary: {text}{await errors}");
        var times = text.TrimEnd().Split('\n')[^1].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        using var json = JsonDocument.Parse(line[Marker.Length..]);
        var root = json.RootElement;
        return new WrkResult(
            root.GetProperty("requests").GetInt64(),
            root.GetProperty("duration_us").GetInt64() / 1e6,
            root.GetProperty("p50").GetDouble(),
            root.GetProperty("p90").GetDouble(),
            root.GetProperty("p99").GetDouble(),
            root.GetProperty("mean").GetDouble(),
            root.GetProperty("socket_errors").GetInt64(),
            root.GetProperty("non2xx").GetInt64(),
            times.Sum(ShellTimeMicroseconds));
    }

    /// <summary>Parses bash's <c>0m1.234s</c>.</summary>
    private static double ShellTimeMicroseconds(string time)
    {
        var minutes = time.IndexOf('m', StringComparison.Ordinal);
        return ((double.Parse(time[..minutes], CultureInfo.InvariantCulture) * 60)
            + double.Parse(time[(minutes + 1)..^1], CultureInfo.InvariantCulture)) * 1e6;
    }
}
