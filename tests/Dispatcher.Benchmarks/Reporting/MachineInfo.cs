using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Dispatcher.Benchmarks.Reporting;

/// <summary>What the numbers were measured on.</summary>
/// <param name="BusyBeforeStartPercent">Share of all cores busy during 2 seconds before any process of the run started.</param>
internal sealed record MachineInfo(
    int Cores, string CpuModel, double MemoryGiB, string Kernel, string Runtime, string Date, string Commit, string Wrk,
    double BusyBeforeStartPercent)
{
    public static async Task<MachineInfo> ReadAsync(string repoRoot, double busyBeforeStartPercent)
    {
        var cpu = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal));
        var memory = File.ReadLines("/proc/meminfo").First(l => l.StartsWith("MemTotal:", StringComparison.Ordinal));
        var kilobytes = double.Parse(memory.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], System.Globalization.CultureInfo.InvariantCulture);
        var commit = (await OutputOfAsync("git", "-C", repoRoot, "rev-parse", "--short", "HEAD")).Trim();
        var dirty = (await OutputOfAsync("git", "-C", repoRoot, "status", "--porcelain", "--", "src")).Length > 0;
        var wrk = (await OutputOfAsync("wrk", "--version")).Split('\n')[0].Trim();
        return new MachineInfo(
            Environment.ProcessorCount,
            cpu is null ? "unknown" : cpu[(cpu.IndexOf(':', StringComparison.Ordinal) + 1)..].Trim(),
            Math.Round(kilobytes / 1024 / 1024, 1),
            File.ReadAllText("/proc/sys/kernel/osrelease").Trim(),
            RuntimeInformation.FrameworkDescription,
            TimeProvider.System.GetUtcNow().ToString("yyyy-MM-dd HH:mm 'UTC'", System.Globalization.CultureInfo.InvariantCulture),
            dirty ? commit + " + uncommitted changes in src/" : commit,
            wrk,
            busyBeforeStartPercent);
    }

    private static async Task<string> OutputOfAsync(string file, params string[] arguments)
    {
        try
        {
            var start = new ProcessStartInfo(file, arguments) { RedirectStandardOutput = true, RedirectStandardError = true };
            using var process = Process.Start(start)!;
            var output = process.StandardOutput.ReadToEndAsync();
            var errors = process.StandardError.ReadToEndAsync();
            await process.WaitForExitAsync();
            var text = await output;
            return text.Length > 0 ? text : await errors;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return string.Empty;
        }
    }
}
