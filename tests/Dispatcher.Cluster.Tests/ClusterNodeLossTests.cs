using System.Net;
using System.Text.Json;
using Npgsql;

namespace Dispatcher.Cluster.Tests;

[Collection(ClusterCollection.Name)]
public sealed class ClusterNodeLossTests
{
    private readonly ClusterFixture _cluster;

    public ClusterNodeLossTests(ClusterFixture cluster) => _cluster = cluster;

    [Fact]
    public async Task NodeKilledUnderLoad_OthersKeepServing_ItsLeasesExpire_EveryAnsweredRequestIsInTheLedger()
    {
        var doomed = await _cluster.StartChildNodeAsync("node-k");
        var answered = new List<string>();
        var failures = 0;
        using var stop = new CancellationTokenSource();

        async Task LoadAsync(HttpClient http, bool survivor)
        {
            while (!stop.IsCancellationRequested)
            {
                try
                {
                    using var response = await TestNode.ChatAsync(http, "metered-chain");
                    if (response.StatusCode == HttpStatusCode.OK && response.Headers.TryGetValues("x-dispatcher-request-id", out var ids))
                    {
                        // Read the whole answer: a response whose body never arrived was not an answer.
                        await response.Content.ReadAsStringAsync();
                        lock (answered)
                        {
                            answered.Add(ids.First());
                        }
                    }
                    else if (survivor)
                    {
                        Interlocked.Increment(ref failures);
                    }
                }
                catch (HttpRequestException) when (!survivor)
                {
                    // The killed node's in-flight requests die with it: those clients got no answer.
                }
            }
        }

        var load = new List<Task>();
        for (var i = 0; i < 3; i++)
        {
            load.Add(LoadAsync(doomed.Http, survivor: false));
            load.Add(LoadAsync(_cluster.Nodes[0].Http, survivor: true));
            load.Add(LoadAsync(_cluster.Nodes[1].Http, survivor: true));
        }

        await WaitUntilAsync(() => Task.FromResult(answered.Count >= 60));
        doomed.Kill();
        var answeredAtKill = answered.Count;
        await WaitUntilAsync(() => Task.FromResult(answered.Count >= answeredAtKill + 60));
        await stop.CancelAsync();
        await Task.WhenAll(load);
        await doomed.DisposeAsync();

        Assert.Equal(0, failures);

        // The dead node's leases lapse after the TTL, and the survivors see it leave the membership.
        await WaitUntilAsync(async () => await LiveLeasesAsync("node-k") == 0);
        await WaitUntilAsync(async () => !await IsAliveAsync(_cluster.Nodes[0], "node-k"));

        // Every answered request, whichever node answered it (the killed one included), has its ledger row.
        string[] ids;
        lock (answered)
        {
            ids = [.. answered];
        }

        foreach (var id in ids)
        {
            using var trail = await _cluster.Nodes[1].Http.GetAsync($"/v1/dispatcher/requests/{id}");
            Assert.True(trail.StatusCode == HttpStatusCode.OK, $"request {id} was answered but is not in the ledger");
        }
    }

    private async Task<long> LiveLeasesAsync(string node)
    {
        await using var connection = new NpgsqlConnection(_cluster.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT count(*) FROM dispatcher_leases WHERE node_id = $1 AND expires_at > now()", connection);
        command.Parameters.Add(new NpgsqlParameter { Value = node });
        return (long)(await command.ExecuteScalarAsync())!;
    }

    private static async Task<bool> IsAliveAsync(TestNode observer, string node)
    {
        using var document = JsonDocument.Parse(await observer.Http.GetStringAsync("/v1/dispatcher/providers"));
        foreach (var member in document.RootElement.GetProperty("cluster").GetProperty("nodes").EnumerateArray())
        {
            if (member.GetProperty("id").GetString() == node)
            {
                return member.GetProperty("alive").GetBoolean();
            }
        }

        return false;
    }

    private static async Task WaitUntilAsync(Func<Task<bool>> condition)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (!await condition())
        {
            await Task.Delay(20, timeout.Token);
        }
    }
}
