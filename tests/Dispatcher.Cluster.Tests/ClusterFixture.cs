using System.Globalization;
using Dispatcher.ApiFront.Hosting;
using Dispatcher.FakeUpstream;
using Dispatcher.TestSupport;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;

namespace Dispatcher.Cluster.Tests;

/// <summary>
/// Three Dispatcher nodes (in-process, real Kestrel on loopback, each its own host) sharing one real PostgreSQL
/// database, in front of one FakeUpstream. The nodes start at the same time, so schema migration races are part of
/// every run. Clocks are real: the authority decides on PostgreSQL's clock.
/// </summary>
public sealed class ClusterFixture : IAsyncLifetime
{
    public const int MeteredRpm = 60;
    public const int SickMinimumThroughput = 6;
    public static readonly TimeSpan BreakDuration = TimeSpan.FromSeconds(3); // long enough that a slow machine still sees "open" before the probe
    public static readonly TimeSpan LeaseTtl = TimeSpan.FromSeconds(2);

    private readonly List<string> _dataDirectories = [];

    public FakeUpstreamServer Upstream { get; private set; } = null!;

    public string ConnectionString { get; private set; } = null!;

    public TestNode[] Nodes { get; private set; } = [];

    public async Task InitializeAsync()
    {
        Upstream = await FakeUpstreamServer.StartAsync(new FakeUpstreamOptions { Content = "Hello from the fake upstream.", StreamChunks = 3 });
        ConnectionString = await PostgresTestServer.CreateDatabaseAsync("cluster");
        Nodes = await Task.WhenAll(StartNodeAsync("node-a"), StartNodeAsync("node-b"), StartNodeAsync("node-c"));
    }

    public async Task DisposeAsync()
    {
        foreach (var node in Nodes)
        {
            await node.DisposeAsync();
        }

        await Upstream.DisposeAsync();
        foreach (var directory in _dataDirectories)
        {
            try
            {
                Directory.Delete(directory, recursive: true);
            }
            catch (IOException)
            {
                // A leftover temp directory is harmless.
            }
        }
    }

    /// <summary>Starts one more node of the cluster (tests that stop nodes bring them back this way).</summary>
    public async Task<TestNode> StartNodeAsync(string nodeId)
    {
        var dataDirectory = Path.Combine(Path.GetTempPath(), $"dispatcher-cluster-{nodeId}-{Guid.NewGuid():N}");
        _dataDirectories.Add(dataDirectory);
        var app = DispatcherHost.Build(["--urls", "http://127.0.0.1:0"], builder =>
        {
            builder.Configuration.AddInMemoryCollection(Configuration(nodeId, dataDirectory));
            builder.Logging.SetMinimumLevel(LogLevel.Warning);
        });
        await app.StartAsync();
        return new TestNode(nodeId, app);
    }

    /// <summary>Starts a node as a child process (so that a test can kill it without a graceful shutdown).</summary>
    public async Task<ChildNode> StartChildNodeAsync(string nodeId)
    {
        var dataDirectory = Path.Combine(Path.GetTempPath(), $"dispatcher-cluster-{nodeId}-{Guid.NewGuid():N}");
        _dataDirectories.Add(dataDirectory);
        return await ChildNode.StartAsync(nodeId, Configuration(nodeId, dataDirectory));
    }

    private Dictionary<string, string?> Configuration(string nodeId, string dataDirectory)
    {
        var upstream = Upstream.BaseUrl.ToString();
        var config = new Dictionary<string, string?>
        {
            ["Dispatcher:Cluster:Mode"] = "Postgres",
            ["Dispatcher:Cluster:ConnectionString"] = ConnectionString,
            ["Dispatcher:Cluster:NodeId"] = nodeId,
            ["Dispatcher:Cluster:LeaseTtl"] = LeaseTtl.ToString(),
            ["Dispatcher:Cluster:ReportInterval"] = "00:00:00.050",
            ["Dispatcher:DataDirectory"] = dataDirectory,
            ["Dispatcher:Retry:SameCandidateRetries"] = "0",
        };
        AddProvider(config, "sick", upstream, "sk-cluster-sick-0001", SickMinimumThroughput);
        AddProvider(config, "healthy", upstream, "sk-cluster-healthy-0001", 1000);
        AddProvider(config, "metered", upstream, "sk-cluster-metered-0001", 1000);
        AddProvider(config, "flip", upstream, "sk-cluster-flip-0001", 1000);
        config["Dispatcher:Providers:metered:Rpm"] = MeteredRpm.ToString(CultureInfo.InvariantCulture);
        AddModel(config, "sick", "sick", "sick-model");
        AddModel(config, "healthy", "healthy", "healthy-model");
        AddModel(config, "metered", "metered", "metered-model");
        AddModel(config, "flip", "flip", "flip-model");
        config["Dispatcher:Routes:sick-chain:Chain:0"] = "sick";
        config["Dispatcher:Routes:sick-chain:Chain:1"] = "healthy";
        config["Dispatcher:Routes:metered-chain:Chain:0"] = "metered";
        config["Dispatcher:Routes:metered-chain:Chain:1"] = "healthy";
        config["Dispatcher:Routes:pin-chain:Chain:0"] = "flip";
        config["Dispatcher:Routes:pin-chain:Chain:1"] = "healthy";
        return config;
    }

    private static void AddProvider(Dictionary<string, string?> config, string name, string baseUrl, string key, int minimumThroughput)
    {
        var prefix = $"Dispatcher:Providers:{name}:";
        config[prefix + "Kind"] = "openai";
        config[prefix + "BaseUrl"] = baseUrl;
        config[prefix + "ApiKeys:0"] = key;
        config[prefix + "Breaker:MinimumThroughput"] = minimumThroughput.ToString(CultureInfo.InvariantCulture);
        config[prefix + "Breaker:FailureRatio"] = "0.5";
        config[prefix + "Breaker:SamplingDuration"] = "00:00:30";
        config[prefix + "Breaker:BreakDuration"] = BreakDuration.ToString();
    }

    private static void AddModel(Dictionary<string, string?> config, string alias, string provider, string upstreamModel)
    {
        var prefix = $"Dispatcher:Models:{alias}:";
        config[prefix + "Provider"] = provider;
        config[prefix + "UpstreamModel"] = upstreamModel;
        config[prefix + "ContextWindow"] = "128000";
        config[prefix + "InputPricePerMTok"] = "1";
        config[prefix + "OutputPricePerMTok"] = "2";
    }
}

[CollectionDefinition(Name)]
public sealed class ClusterCollection : ICollectionFixture<ClusterFixture>
{
    public const string Name = "cluster";
}
