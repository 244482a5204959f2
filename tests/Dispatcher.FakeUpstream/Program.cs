using System.Globalization;
using System.Runtime.InteropServices;

namespace Dispatcher.FakeUpstream;

/// <summary>
/// Standalone mode for the load benchmark and the demo:
/// <c>dotnet run --project tests/Dispatcher.FakeUpstream -- --urls http://127.0.0.1:9100 [--content "..."]
/// [--stream-chunks 5] [--chunk-delay-ms 0] [--latency-ms 0]</c>. Requests are not recorded; runs until Ctrl+C or SIGTERM.
/// </summary>
internal static class Program
{
    private const string Usage =
        "usage: Dispatcher.FakeUpstream [--urls http://127.0.0.1:9100] [--content TEXT] [--stream-chunks N] [--chunk-delay-ms N] [--latency-ms N]";

    public static async Task<int> Main(string[] args)
    {
        FakeUpstreamOptions options;
        try
        {
            options = Parse(args);
        }
        catch (FormatException ex)
        {
            await Console.Error.WriteLineAsync(ex.Message);
            await Console.Error.WriteLineAsync(Usage);
            return 2;
        }

        await using var server = await FakeUpstreamServer.StartAsync(options);
        var stop = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
        using var terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
        Console.WriteLine($"Fake upstream listening on {server.BaseUrl} (Ctrl+C to stop)");
        await stop.Task;
        return 0;

        void Stop(PosixSignalContext context)
        {
            context.Cancel = true;
            stop.TrySetResult();
        }
    }

    private static FakeUpstreamOptions Parse(string[] args)
    {
        var options = new FakeUpstreamOptions { Port = 9100, RecordRequests = false };
        for (var i = 0; i < args.Length; i++)
        {
            var name = args[i];
            var value = i + 1 < args.Length ? args[++i] : throw new FormatException($"{name} needs a value");
            options = name switch
            {
                "--urls" => WithUrl(options, value),
                "--content" => options with { Content = value },
                "--stream-chunks" => options with { StreamChunks = Number(name, value, minimum: 1) },
                "--chunk-delay-ms" => options with { ChunkDelay = TimeSpan.FromMilliseconds(Number(name, value, minimum: 0)) },
                "--latency-ms" => options with { Latency = TimeSpan.FromMilliseconds(Number(name, value, minimum: 0)) },
                _ => throw new FormatException($"unknown option {name}"),
            };
        }

        return options;
    }

    private static FakeUpstreamOptions WithUrl(FakeUpstreamOptions options, string value)
    {
        // Kestrel-style "--urls" may list several; the fake listens on the first one.
        // "+" and "*" (all interfaces) are not valid URI hosts.
        var first = value.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault() ?? string.Empty;
        first = first.Replace("://+:", "://0.0.0.0:", StringComparison.Ordinal).Replace("://*:", "://0.0.0.0:", StringComparison.Ordinal);
        if (!Uri.TryCreate(first, UriKind.Absolute, out var url) || url.Scheme != Uri.UriSchemeHttp)
        {
            throw new FormatException($"--urls must be an http:// URL, got '{value}'");
        }

        return options with { Host = url.Host.Trim('[', ']'), Port = url.Port };
    }

    private static int Number(string name, string value, int minimum) =>
        int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var number) && number >= minimum
            ? number
            : throw new FormatException($"{name} must be an integer >= {minimum}, got '{value}'");
}
