using System.Text.Json;
using System.Text.Json.Nodes;

namespace Dispatcher.Benchmarks.Harness;

/// <summary>
/// The configuration file of a Dispatcher under test. Routes: <c>one</c> (a single model), <c>fallback</c> (a primary
/// that always answers 503, then the served model; its breaker opens after a few failures, so in steady state the
/// primary is skipped without a call) and <c>fallback-live</c> (the same, but the breaker never opens, so every
/// request really calls the failing upstream); the model <c>slowstream</c> serves long streams for the memory check.
/// Same-candidate retries are off so a live fallback is one failing call and one served call. With a cluster
/// connection string the node runs in cluster mode (<c>Cluster:Mode=Postgres</c>) under the given node id.
/// </summary>
internal static class DispatcherConfig
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    public static string Write(
        string path, string dataDirectory, string ledgerDurability, Uri upstream, Uri slowUpstream, (string ConnectionString, string NodeId)? cluster = null)
    {
        static JsonObject Provider(Uri baseUrl, JsonObject? breaker = null)
        {
            var provider = new JsonObject
            {
                ["Kind"] = "openai",
                ["BaseUrl"] = new Uri(baseUrl, "v1").ToString(),
                ["ApiKeys"] = new JsonArray("sk-bench"),
            };
            if (breaker is not null)
            {
                provider["Breaker"] = breaker;
            }

            return provider;
        }

        static JsonObject Model(string provider, string upstreamModel) =>
            new() { ["Provider"] = provider, ["UpstreamModel"] = upstreamModel };

        static JsonObject Route(params string[] chain) =>
            new() { ["Chain"] = new JsonArray(chain.Select(alias => (JsonNode)alias).ToArray()) };

        var config = new JsonObject
        {
            ["Dispatcher"] = new JsonObject
            {
                ["DataDirectory"] = dataDirectory,
                ["Ledger"] = new JsonObject { ["Durability"] = ledgerDurability },
                ["Retry"] = new JsonObject { ["SameCandidateRetries"] = 0 },
                ["Providers"] = new JsonObject
                {
                    ["fake"] = Provider(upstream),
                    ["fake-nobreaker"] = Provider(upstream, new JsonObject { ["MinimumThroughput"] = int.MaxValue }),
                    ["fake-slow"] = Provider(slowUpstream),
                },
                ["Models"] = new JsonObject
                {
                    ["primary"] = Model("fake", "gpt-4o-mini"),
                    ["broken"] = Model("fake", "fail-503"),
                    ["broken-live"] = Model("fake-nobreaker", "fail-503"),
                    ["slowstream"] = Model("fake-slow", "gpt-4o-mini"),
                },
                ["Routes"] = new JsonObject
                {
                    ["one"] = Route("primary"),
                    ["fallback"] = Route("broken", "primary"),
                    ["fallback-live"] = Route("broken-live", "primary"),
                },
            },
        };
        if (cluster is { } postgres)
        {
            config["Dispatcher"]!["Cluster"] = new JsonObject
            {
                ["Mode"] = "Postgres",
                ["ConnectionString"] = postgres.ConnectionString,
                ["NodeId"] = postgres.NodeId,
            };
        }

        File.WriteAllText(path, config.ToJsonString(Indented));
        return path;
    }
}
