namespace Dispatcher.Benchmarks.Harness;

/// <summary>Where the programs under test are, found from this assembly's location.</summary>
internal sealed record RepoPaths(string Root, string BenchmarkDll, string FakeUpstreamDll, string DispatcherDll, string ResultsDirectory)
{
    public static RepoPaths Find(BenchOptions options)
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Dispatcher.sln")))
        {
            directory = directory.Parent;
        }

        var root = directory?.FullName ?? throw new InvalidOperationException($"no Dispatcher.sln above {AppContext.BaseDirectory}");
        return new RepoPaths(
            root,
            typeof(RepoPaths).Assembly.Location,
            Path.Combine(AppContext.BaseDirectory, "Dispatcher.FakeUpstream.dll"),
            Path.GetFullPath(options.DispatcherDll ?? Path.Combine(root, "src/ApiFront/bin/Release/net10.0/Dispatcher.ApiFront.dll")),
            Path.GetFullPath(options.ResultsDirectory ?? Path.Combine(root, "tests/Dispatcher.Benchmarks/results")));
    }
}
