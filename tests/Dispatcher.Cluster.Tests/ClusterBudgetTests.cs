using System.Net;
using Npgsql;
using Xunit.Abstractions;

namespace Dispatcher.Cluster.Tests;

[Collection(ClusterCollection.Name)]
public sealed class ClusterBudgetTests
{
    private const int RequestsPerNode = 50;
    private const int ConcurrencyPerNode = 8;

    private readonly ClusterFixture _cluster;
    private readonly ITestOutputHelper _output;

    public ClusterBudgetTests(ClusterFixture cluster, ITestOutputHelper output)
    {
        _cluster = cluster;
        _output = output;
    }

    [Fact]
    public async Task KeyWithRpm60_HammeredByThreeNodes_UpstreamGetsAtMost60AMinute_RestFallBackWithBudgetExhausted()
    {
        var firstWindow = await DatabaseMinuteAsync(minimumLeft: TimeSpan.FromSeconds(5));
        var before = _cluster.Upstream.CallCount("metered-model");

        var answers = await Task.WhenAll(_cluster.Nodes.Select(HammerAsync));
        var lastWindow = await DatabaseMinuteAsync(minimumLeft: TimeSpan.Zero);

        var calls = _cluster.Upstream.CallCount("metered-model") - before;
        var windows = (int)(lastWindow - firstWindow).TotalMinutes + 1;
        var all = answers.SelectMany(a => a).ToArray();
        Assert.Equal(RequestsPerNode * _cluster.Nodes.Length, all.Length);
        Assert.All(all, answer => Assert.Equal(HttpStatusCode.OK, answer.Status));

        // Everything the metered key served reached the upstream, and no more than its Rpm per minute did.
        var servedByMetered = all.Count(a => a.Model == "metered");
        _output.WriteLine($"{all.Length} requests over {_cluster.Nodes.Length} nodes in {windows} window(s): {calls} reached the Rpm={ClusterFixture.MeteredRpm} key, {all.Length - calls} fell back");
        Assert.Equal(calls, servedByMetered);
        Assert.InRange(calls, 1, ClusterFixture.MeteredRpm * windows);

        // The rest fell back, saying why.
        Assert.All(all.Where(a => a.Model != "metered"), answer =>
        {
            Assert.Equal("healthy", answer.Model);
            Assert.Equal("metered=budget_exhausted", answer.Reasons);
        });
    }

    private static async Task<List<(HttpStatusCode Status, string Model, string Reasons)>> HammerAsync(TestNode node)
    {
        var answers = new List<(HttpStatusCode, string, string)>();
        var next = 0;
        var workers = Enumerable.Range(0, ConcurrencyPerNode).Select(async _ =>
        {
            while (Interlocked.Increment(ref next) <= RequestsPerNode)
            {
                using var response = await node.ChatAsync("metered-chain");
                var answer = (response.StatusCode, Header(response, "x-dispatcher-model"), Header(response, "x-dispatcher-fallback-reasons"));
                lock (answers)
                {
                    answers.Add(answer);
                }
            }
        });
        await Task.WhenAll(workers);
        return answers;
    }

    // The authority's minute (PostgreSQL's clock). With less than minimumLeft of it to go, the next one.
    private async Task<DateTimeOffset> DatabaseMinuteAsync(TimeSpan minimumLeft)
    {
        await using var connection = new NpgsqlConnection(_cluster.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            "SELECT date_trunc('minute', now()), date_trunc('minute', now()) + interval '1 minute' - now()", connection);
        await using var reader = await command.ExecuteReaderAsync();
        await reader.ReadAsync();
        var minute = reader.GetFieldValue<DateTimeOffset>(0);
        var left = reader.GetFieldValue<TimeSpan>(1);
        if (left >= minimumLeft)
        {
            return minute;
        }

        // A wall-clock wait of at most minimumLeft, so that the whole burst fits in one window.
        await Task.Delay(left + TimeSpan.FromMilliseconds(100));
        return minute.AddMinutes(1);
    }

    private static string Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? string.Join(",", values) : "<missing>";
}
