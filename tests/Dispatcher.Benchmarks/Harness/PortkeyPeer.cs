using System.Diagnostics;

namespace Dispatcher.Benchmarks.Harness;

/// <summary>
/// The optional peer: the Portkey gateway from npm, installed once into a temp directory. Any failure (no npm, no
/// registry, a package that wants the network at start) skips it with a message instead of failing the run.
/// </summary>
internal static class PortkeyPeer
{
    private const string Package = "@portkey-ai/gateway@1.15.2";
    private static readonly TimeSpan InstallTimeout = TimeSpan.FromMinutes(3);

    /// <summary>The path of the gateway's start-server.js, or null with the reason written to the console.</summary>
    public static async Task<string?> InstallAsync()
    {
        var directory = Path.Combine(Path.GetTempPath(), "dispatcher-bench-portkey");
        var script = Path.Combine(directory, "node_modules/@portkey-ai/gateway/build/start-server.js");
        if (File.Exists(script))
        {
            return script;
        }

        Directory.CreateDirectory(directory);
        var start = new ProcessStartInfo("npm")
        {
            WorkingDirectory = directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { "install", "--no-audit", "--no-fund", "--prefix", directory, Package })
        {
            start.ArgumentList.Add(argument);
        }

        try
        {
            using var npm = Process.Start(start) ?? throw new InvalidOperationException("npm did not start");
            var output = npm.StandardOutput.ReadToEndAsync();
            var errors = npm.StandardError.ReadToEndAsync();
            using var timeout = new CancellationTokenSource(InstallTimeout);
            try
            {
                await npm.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                npm.Kill(entireProcessTree: true);
                Console.WriteLine($"portkey: skipped, npm install took longer than {InstallTimeout.TotalMinutes:0} minutes");
                return null;
            }

            if (npm.ExitCode != 0 || !File.Exists(script))
            {
                Console.WriteLine($"portkey: skipped, npm install failed ({npm.ExitCode}): {(await errors).Trim()} {(await output).Trim()}");
                return null;
            }

            return script;
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            Console.WriteLine($"portkey: skipped, npm not found ({ex.Message})");
            return null;
        }
    }
}
