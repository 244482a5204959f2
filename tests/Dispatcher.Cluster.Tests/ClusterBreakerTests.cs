using System.Net;

namespace Dispatcher.Cluster.Tests;

[Collection(ClusterCollection.Name)]
public sealed class ClusterBreakerTests
{
    private readonly ClusterFixture _cluster;

    public ClusterBreakerTests(ClusterFixture cluster) => _cluster = cluster;

    [Fact]
    public async Task FailuresSpreadOverThreeNodes_OpenTheBreakerForAll_AndOneNodesProbeClosesItForAll()
    {
        var upstream = _cluster.Upstream;
        upstream.SetDefault("sick-model", Dispatcher.FakeUpstream.FakeBehavior.Status(500));

        // Two failures per node: no node reaches MinimumThroughput (6) on its own; the cluster does.
        foreach (var node in _cluster.Nodes)
        {
            for (var i = 0; i < 2; i++)
            {
                using var response = await node.ChatAsync("sick-chain");
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
                Assert.Equal("healthy", Header(response, "x-dispatcher-model"));
                Assert.Equal("sick=server_error", Header(response, "x-dispatcher-fallback-reasons"));
            }
        }

        Assert.Equal(ClusterFixture.SickMinimumThroughput, upstream.CallCount("sick-model"));
        foreach (var node in _cluster.Nodes)
        {
            await node.WaitForDeploymentStateAsync("sick", "sick-model", "open");
        }

        // Every node now skips the deployment without calling it.
        foreach (var node in _cluster.Nodes)
        {
            using var response = await node.ChatAsync("sick-chain");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("sick=breaker_open", Header(response, "x-dispatcher-fallback-reasons"));
        }

        Assert.Equal(ClusterFixture.SickMinimumThroughput, upstream.CallCount("sick-model"));

        // The upstream recovers; after the break, node A's probe closes the breaker for the whole cluster.
        upstream.SetDefault("sick-model", Dispatcher.FakeUpstream.FakeBehavior.Ok());
        var (a, b, c) = (_cluster.Nodes[0], _cluster.Nodes[1], _cluster.Nodes[2]);
        await a.WaitForDeploymentStateAsync("sick", "sick-model", "half_open");
        using (var probe = await a.ChatAsync("sick-chain"))
        {
            Assert.Equal("sick", Header(probe, "x-dispatcher-model"));
            Assert.Equal(string.Empty, Header(probe, "x-dispatcher-fallback-reasons"));
        }

        await b.WaitForDeploymentStateAsync("sick", "sick-model", "closed");
        await c.WaitForDeploymentStateAsync("sick", "sick-model", "closed");
        foreach (var node in new[] { b, c })
        {
            using var response = await node.ChatAsync("sick-chain");
            Assert.Equal("sick", Header(response, "x-dispatcher-model"));
        }

        Assert.Equal(ClusterFixture.SickMinimumThroughput + 3, upstream.CallCount("sick-model"));
    }

    private static string Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? string.Join(",", values) : "<missing>";
}
