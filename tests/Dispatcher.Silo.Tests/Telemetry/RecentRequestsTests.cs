using Dispatcher.Grains.Dispatch;
using Dispatcher.Grains.Ledger;
using Dispatcher.Providers;
using Dispatcher.Silo.Telemetry;
using Xunit;

namespace Dispatcher.Silo.Tests.Telemetry;

public sealed class RecentRequestsTests
{
    private static readonly DateTimeOffset Noon = new(2026, 11, 22, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Since_ReturnsNewestFirstWithinTheWindowAndTheLimit()
    {
        var recent = new RecentRequests(10);
        for (var i = 0; i < 5; i++)
        {
            recent.Add(Record("r" + i, Noon.AddMinutes(i)));
        }

        var found = recent.Since(Noon.AddMinutes(1), max: 3);

        Assert.Equal(["r4", "r3", "r2"], found.Select(r => r.RequestId));
        Assert.Equal(["r4", "r3", "r2", "r1"], recent.Since(Noon.AddMinutes(1), max: 50).Select(r => r.RequestId));
    }

    [Fact]
    public void Add_PastCapacity_KeepsTheNewest()
    {
        var recent = new RecentRequests(3);
        for (var i = 0; i < 7; i++)
        {
            recent.Add(Record("r" + i, Noon));
        }

        Assert.Equal(["r6", "r5", "r4"], recent.Since(Noon, max: 50).Select(r => r.RequestId));
    }

    [Fact]
    public void Edges_CountEachMoveToAnotherModelByReason_NotRetriesOfTheSameModel()
    {
        var requests = new[]
        {
            Record("a", Noon, Attempt("gpt", FailureKind.ServerError), Attempt("gpt", FailureKind.ServerError), Attempt("claude", FailureKind.None)),
            Record("b", Noon, Attempt("gpt", FailureKind.RateLimited), Attempt("claude", FailureKind.None)),
            Record("c", Noon, Attempt("gpt", FailureKind.ServerError), Attempt("claude", FailureKind.BreakerOpen), Attempt("llama", FailureKind.None)),
            Record("d", Noon, Attempt("gpt", FailureKind.None)),
        };

        var edges = RecentRequests.Edges(requests);

        Assert.Equal(
            [new FallbackEdge("gpt", "claude", "server_error", 2), new FallbackEdge("claude", "llama", "breaker_open", 1), new FallbackEdge("gpt", "claude", "rate_limited", 1)],
            edges);
    }

    private static AttemptRecord Attempt(string model, FailureKind kind) =>
        new(model, "p", "key-00000000", kind, kind == FailureKind.None ? DispatchAction.Served : DispatchAction.NextCandidate, 200, 1, 0m, null);

    private static RequestRecord Record(string id, DateTimeOffset at, params AttemptRecord[] attempts) =>
        new(id, at, "route", false, 200, "completed", null, null, 0, 0, 0m, attempts);
}
