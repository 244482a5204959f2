using Dispatcher.FakeUpstream;

namespace Dispatcher.Cluster.Tests;

[Collection(ClusterCollection.Name)]
public sealed class ClusterConversationTests
{
    private readonly ClusterFixture _cluster;

    public ClusterConversationTests(ClusterFixture cluster) => _cluster = cluster;

    [Fact]
    public async Task ConversationPinnedThroughNodeA_IsHonouredByNodesBAndC()
    {
        var (a, b, c) = (_cluster.Nodes[0], _cluster.Nodes[1], _cluster.Nodes[2]);
        var session = "conv-" + Guid.NewGuid().ToString("N");

        // First turn on A: the chain's first model fails, so the fallback serves and is pinned.
        _cluster.Upstream.SetDefault("flip-model", FakeBehavior.Status(500));
        using (var first = await a.ChatAsync("pin-chain", session))
        {
            Assert.Equal("healthy", Header(first, "x-dispatcher-model"));
        }

        // The first model is healthy again; later turns on B and C still go to the pinned model.
        _cluster.Upstream.SetDefault("flip-model", FakeBehavior.Ok());
        foreach (var node in new[] { b, c, a })
        {
            using var turn = await node.ChatAsync("pin-chain", session);
            Assert.Equal("healthy", Header(turn, "x-dispatcher-model"));
            Assert.Equal(string.Empty, Header(turn, "x-dispatcher-fallback-reasons"));
        }

        // A new conversation (or none) is not pinned: it gets the chain's first model.
        using var fresh = await b.ChatAsync("pin-chain", "conv-" + Guid.NewGuid().ToString("N"));
        Assert.Equal("flip", Header(fresh, "x-dispatcher-model"));
    }

    private static string Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? string.Join(",", values) : "<missing>";
}
