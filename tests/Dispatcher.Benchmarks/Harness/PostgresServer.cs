using System.Diagnostics;
using System.Globalization;
using Npgsql;

namespace Dispatcher.Benchmarks.Harness;

/// <summary>
/// The throwaway PostgreSQL server of the <c>cluster</c> target: <c>scripts/postgres.sh install</c>, then <c>start</c>
/// into the run's work directory on a free loopback port, and one database for the run. Stopped and deleted on
/// dispose, and by <see cref="Stop"/> when the harness is interrupted; its server log is kept beside the others.
/// </summary>
internal sealed class PostgresServer : IAsyncDisposable
{
    /// <summary>The database the cluster node uses; nothing else connects to it, so its counters are the node's.</summary>
    public const string Database = "dispatcher_bench";

    private static readonly TimeSpan InstallTimeout = TimeSpan.FromMinutes(5);
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(90);
    private readonly string _script;
    private readonly string _dataDirectory;
    private int _stopped;

    /// <param name="script">scripts/postgres.sh.</param>
    /// <param name="dataDirectory">Where the server's data goes (deleted on stop; its log is kept beside it).</param>
    public PostgresServer(string script, string dataDirectory)
    {
        _script = script;
        _dataDirectory = dataDirectory;
    }

    /// <summary>The <c>postgres</c> database: where the harness reads statistics, so its own queries are not counted.</summary>
    public string AdminConnectionString { get; private set; } = string.Empty;

    /// <summary>The run's database, for the cluster node.</summary>
    public string ConnectionString { get; private set; } = string.Empty;

    /// <summary>Installs PostgreSQL (when missing), starts the server on <paramref name="port"/> and creates the run's
    /// database; false, with the reason printed, when PostgreSQL can't be installed or started here.</summary>
    public async Task<bool> TryStartAsync(int port)
    {
        var install = await RunScriptAsync(_script, InstallTimeout, "install");
        if (install.ExitCode != 0)
        {
            Console.WriteLine($"cluster: skipped, PostgreSQL could not be installed ({_script} install): {Tail(install.Errors)}");
            return false;
        }

        var start = await RunScriptAsync(_script, StartTimeout, "start", _dataDirectory, port.ToString(CultureInfo.InvariantCulture));
        var connection = start.Output.Trim().Split('\n')[^1].Trim();
        if (start.ExitCode != 0 || !connection.StartsWith("Host=", StringComparison.Ordinal))
        {
            Console.WriteLine($"cluster: skipped, PostgreSQL did not start ({_script} start): {Tail(start.Errors)}");
            return false;
        }

        AdminConnectionString = connection;
        ConnectionString = new NpgsqlConnectionStringBuilder(connection) { Database = Database }.ConnectionString;
        try
        {
            await using var admin = new NpgsqlConnection(connection);
            await admin.OpenAsync();
            await using var create = new NpgsqlCommand($"CREATE DATABASE {Database}", admin);
            await create.ExecuteNonQueryAsync();
            return true;
        }
        catch (NpgsqlException ex)
        {
            Console.WriteLine($"cluster: skipped, could not create the database: {ex.Message}");
            return false;
        }
    }

    /// <summary>Stops the server now (immediate shutdown) and deletes its data directory; for the interrupt handler,
    /// which must finish before the process ends.</summary>
    public void Stop()
    {
        if (Interlocked.Exchange(ref _stopped, 1) != 0)
        {
            return;
        }

        KeepLog();
        using var stop = Process.Start(Script("stop", _dataDirectory));
        if (stop is not null && !stop.WaitForExit(StartTimeout))
        {
            stop.Kill(entireProcessTree: true);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _stopped, 1) != 0)
        {
            return;
        }

        NpgsqlConnection.ClearAllPools();
        KeepLog();
        await RunScriptAsync(_script, StartTimeout, "stop", _dataDirectory);
    }

    private void KeepLog()
    {
        var log = Path.Combine(_dataDirectory, "server.log");
        try
        {
            File.Copy(log, _dataDirectory + ".log", overwrite: true);
        }
        catch (IOException)
        {
            // No log yet: nothing to keep.
        }
    }

    private ProcessStartInfo Script(params string[] arguments) => ScriptStart(_script, arguments);

    private static ProcessStartInfo ScriptStart(string script, IEnumerable<string> arguments)
    {
        var start = new ProcessStartInfo("bash")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(script);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        return start;
    }

    private static async Task<(int ExitCode, string Output, string Errors)> RunScriptAsync(string script, TimeSpan timeout, params string[] arguments)
    {
        try
        {
            using var process = Process.Start(ScriptStart(script, arguments)) ?? throw new InvalidOperationException("bash did not start");
            var output = process.StandardOutput.ReadToEndAsync();
            var errors = process.StandardError.ReadToEndAsync();
            using var limit = new CancellationTokenSource(timeout);
            try
            {
                await process.WaitForExitAsync(limit.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                return (-1, await output, $"timed out after {timeout.TotalSeconds:0} s. " + await errors);
            }

            return (process.ExitCode, await output, await errors);
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            return (-1, string.Empty, ex.Message);
        }
    }

    private static string Tail(string text)
    {
        var trimmed = text.Trim();
        return trimmed.Length == 0 ? "no message" : trimmed.Length > 300 ? "..." + trimmed[^300..] : trimmed;
    }
}
