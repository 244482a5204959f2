using Dispatcher.Grains.Ledger;
using Dispatcher.Providers;

namespace Dispatcher.Silo.Telemetry;

/// <summary>
/// The last finished requests of this node, in memory, for the dashboard: newest first, and the fallback edges
/// (from → to, reason) they took. A ring of fixed capacity under one short lock; the durable trail is the ledger's.
/// </summary>
public sealed class RecentRequests
{
    private readonly Lock _gate = new();
    private readonly RequestRecord?[] _ring;
    private int _next;

    /// <summary>Keeps up to <paramref name="capacity"/> requests.</summary>
    public RecentRequests(int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        _ring = new RequestRecord?[capacity];
    }

    /// <summary>Adds a finished request (its ledger row).</summary>
    public void Add(RequestRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        lock (_gate)
        {
            _ring[_next] = record;
            _next = (_next + 1) % _ring.Length;
        }
    }

    /// <summary>Requests that arrived at or after <paramref name="since"/>, newest first, at most <paramref name="max"/>.</summary>
    public IReadOnlyList<RequestRecord> Since(DateTimeOffset since, int max)
    {
        var found = new List<RequestRecord>();
        lock (_gate)
        {
            for (var i = 1; i <= _ring.Length && found.Count < max; i++)
            {
                var record = _ring[(_next - i + _ring.Length) % _ring.Length];
                if (record is null)
                {
                    break;
                }

                if (record.At >= since)
                {
                    found.Add(record);
                }
            }
        }

        return found;
    }

    /// <summary>
    /// The fallback edges of <paramref name="requests"/>: each time a failed or skipped attempt was followed by an
    /// attempt on another model, counted by (from, to, reason), most frequent first.
    /// </summary>
    public static IReadOnlyList<FallbackEdge> Edges(IReadOnlyList<RequestRecord> requests)
    {
        ArgumentNullException.ThrowIfNull(requests);
        var counts = new Dictionary<(string From, string To, string Reason), int>();
        foreach (var request in requests)
        {
            var attempts = request.Attempts;
            for (var i = 0; i + 1 < attempts.Count; i++)
            {
                var (from, to) = (attempts[i], attempts[i + 1]);
                if (from.Kind != FailureKind.None && !string.Equals(from.Model, to.Model, StringComparison.Ordinal))
                {
                    var key = (from.Model, to.Model, from.Kind.ToWireName());
                    counts[key] = counts.GetValueOrDefault(key) + 1;
                }
            }
        }

        var edges = new List<FallbackEdge>(counts.Count);
        foreach (var ((from, to, reason), count) in counts)
        {
            edges.Add(new FallbackEdge(from, to, reason, count));
        }

        edges.Sort(static (a, b) => b.Count != a.Count ? b.Count.CompareTo(a.Count) : string.CompareOrdinal(a.From + a.To + a.Reason, b.From + b.To + b.Reason));
        return edges;
    }
}
