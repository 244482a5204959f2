using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Configuration.Json;

namespace Dispatcher.ApiFront.Hosting;

/// <summary>
/// Adds the JSON file named by <c>--config &lt;path&gt;</c> or <c>DISPATCHER_CONFIG</c>, right after appsettings.json,
/// so environment variables and the command line still win over it (SPEC.md: a later source wins).
/// </summary>
public static class DispatcherConfigFile
{
    /// <summary>The path named by the arguments or the environment, or null.</summary>
    public static string? PathFrom(string[] args)
    {
        ArgumentNullException.ThrowIfNull(args);
        for (var i = 0; i < args.Length - 1; i++)
        {
            if (args[i] is "--config" or "-c")
            {
                return args[i + 1];
            }
        }

        var fromArgs = args.FirstOrDefault(arg => arg.StartsWith("--config=", StringComparison.Ordinal));
        return fromArgs?["--config=".Length..] ?? Environment.GetEnvironmentVariable("DISPATCHER_CONFIG");
    }

    /// <summary>Inserts the file into <paramref name="configuration"/>; a named file that is missing stops start-up.</summary>
    public static void Add(IConfigurationBuilder configuration, string[] args)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var path = PathFrom(args);
        if (string.IsNullOrEmpty(path))
        {
            return;
        }

        var fullPath = Path.GetFullPath(path);
        if (!File.Exists(fullPath))
        {
            throw new FileNotFoundException($"The configuration file named by --config or DISPATCHER_CONFIG does not exist: {fullPath}", fullPath);
        }

        var source = new JsonConfigurationSource { Path = fullPath, Optional = false, ReloadOnChange = false };
        source.ResolveFileProvider();
        var sources = configuration.Sources;
        var lastJson = -1;
        for (var i = 0; i < sources.Count; i++)
        {
            if (sources[i] is JsonConfigurationSource)
            {
                lastJson = i;
            }
        }

        sources.Insert(lastJson + 1, source);
    }
}
