using System.Globalization;

namespace Dispatcher.Benchmarks.Harness;

/// <summary>Reads a process's CPU time and memory from /proc (Linux only).</summary>
internal static class ProcStat
{
    /// <summary>Clock ticks per second of /proc/&lt;pid&gt;/stat times (USER_HZ; 100 on every mainstream Linux).</summary>
    private const double TicksPerSecond = 100;

    /// <summary>utime + stime of every thread, living or exited, in microseconds.</summary>
    public static double CpuMicroseconds(int pid)
    {
        var stat = File.ReadAllText($"/proc/{pid}/stat");

        // The command name (field 2) may contain spaces: count fields after its closing parenthesis.
        // Field 3 (state) is index 0 there, so utime (14) and stime (15) are indexes 11 and 12.
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        var ticks = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
        return ticks / TicksPerSecond * 1_000_000;
    }

    /// <summary>A "kB" line of /proc/&lt;pid&gt;/status in MB, e.g. VmHWM (peak resident set) or VmRSS.</summary>
    public static double StatusMB(int pid, string key)
    {
        foreach (var line in File.ReadLines($"/proc/{pid}/status"))
        {
            if (line.StartsWith(key + ":", StringComparison.Ordinal))
            {
                var kilobytes = line[(key.Length + 1)..].Trim().Split(' ')[0];
                return long.Parse(kilobytes, CultureInfo.InvariantCulture) * 1024 / 1e6;
            }
        }

        throw new InvalidOperationException($"/proc/{pid}/status has no {key} line");
    }
}
