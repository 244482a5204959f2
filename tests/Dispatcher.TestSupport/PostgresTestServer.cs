using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Npgsql;

namespace Dispatcher.TestSupport;

/// <summary>
/// The real PostgreSQL server the cluster suites run against. The test command (scripts/test.sh) starts one and names
/// it in <c>DISPATCHER_TEST_POSTGRES</c>; run without it (plain <c>dotnet test</c>), the first suite that needs one
/// starts a throwaway server with scripts/postgres.sh and stops it when the test process exits. Each caller gets a
/// database of its own, so suites never see each other's rows.
/// </summary>
public static class PostgresTestServer
{
    private const string EnvironmentVariable = "DISPATCHER_TEST_POSTGRES";
    private static readonly Lazy<string> Server = new(StartOrFind, LazyThreadSafetyMode.ExecutionAndPublication);
    private static int _databases;

    /// <summary>Creates an empty database and returns its connection string.</summary>
    public static async Task<string> CreateDatabaseAsync(string purpose)
    {
        var name = string.Create(CultureInfo.InvariantCulture,
            $"t_{purpose.ToLowerInvariant()}_{Environment.ProcessId}_{Interlocked.Increment(ref _databases)}");
        var builder = new NpgsqlConnectionStringBuilder(Server.Value);
        await using (var connection = new NpgsqlConnection(builder.ConnectionString))
        {
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand($"DROP DATABASE IF EXISTS {name}; ", connection);
            await command.ExecuteNonQueryAsync();
            command.CommandText = $"CREATE DATABASE {name}";
            await command.ExecuteNonQueryAsync();
        }

        builder.Database = name;
        return builder.ConnectionString;
    }

    private static string StartOrFind()
    {
        if (Environment.GetEnvironmentVariable(EnvironmentVariable) is { Length: > 0 } configured)
        {
            return configured;
        }

        var script = Path.Combine(RepositoryRoot(), "scripts", "postgres.sh");
        var root = Directory.CreateTempSubdirectory("dispatcher-pg-").FullName;
        var data = Path.Combine(root, "data");
        var connectionString = Run(script, "start", data, FreePort().ToString(CultureInfo.InvariantCulture)).Trim();
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            Run(script, "stop", data);
            Directory.Delete(root, recursive: true);
        };
        StopWhenThisProcessIsGone(script, data, root);
        return connectionString;
    }

    /// <summary>
    /// The test host is often killed rather than left to exit (then ProcessExit never runs): a detached watcher stops
    /// the server and deletes its directory once this process is gone, so no run leaves a PostgreSQL behind.
    /// </summary>
    private static void StopWhenThisProcessIsGone(string script, string data, string root)
    {
        var watcher = new ProcessStartInfo("bash") { UseShellExecute = false };
        watcher.ArgumentList.Add("-c");
        watcher.ArgumentList.Add("""exec </dev/null >/dev/null 2>&1; while kill -0 "$1" 2>/dev/null; do sleep 2; done; bash "$2" stop "$3"; rm -rf "$4" """);
        watcher.ArgumentList.Add("postgres-test-watcher");
        watcher.ArgumentList.Add(Environment.ProcessId.ToString(CultureInfo.InvariantCulture));
        watcher.ArgumentList.Add(script);
        watcher.ArgumentList.Add(data);
        watcher.ArgumentList.Add(root);
        watcher.RedirectStandardOutput = watcher.RedirectStandardError = watcher.RedirectStandardInput = true;
        Process.Start(watcher)?.Dispose();
    }

    private static string Run(string script, params string[] arguments)
    {
        var start = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(script);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEnd();
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException(
                $"scripts/postgres.sh {arguments[0]} failed ({process.ExitCode}): {error}. Install PostgreSQL " +
                $"(scripts/postgres.sh install) or name a server in {EnvironmentVariable}.");
        }

        return output;
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Dispatcher.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("Dispatcher.sln not found above " + AppContext.BaseDirectory);
    }
}
