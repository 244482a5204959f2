using System.Text;
using Dispatcher.Grains.Telemetry;
using Dispatcher.Providers;

namespace Dispatcher.Grains.Dispatch;

/// <summary>The attempts of one request, in order: what the headers, the trail store and the spans all count.</summary>
public sealed partial class DecisionTrail
{
    private readonly List<AttemptRecord> _attempts = new(2);
    private List<TrailEvent>? _events;

    /// <summary>The attempts so far.</summary>
    public IReadOnlyList<AttemptRecord> Attempts => _attempts;

    /// <summary>How many attempts (calls and skips).</summary>
    public int Count => _attempts.Count;

    /// <summary>The sum of every attempt's cost.</summary>
    public decimal TotalCostUsd { get; private set; }

    /// <summary>Events besides attempts (repin, continuation, hedge), in order; empty for most requests.</summary>
    public IReadOnlyList<TrailEvent> Events => (IReadOnlyList<TrailEvent>?)_events ?? [];

    /// <summary>Appends an attempt.</summary>
    public void Add(AttemptRecord attempt)
    {
        ArgumentNullException.ThrowIfNull(attempt);
        OnAdding(attempt);
        _attempts.Add(attempt);
        TotalCostUsd += attempt.CostUsd;
    }

    /// <summary>Records an event after the attempts so far; the request span gets it too (<c>dispatcher.&lt;name&gt;</c>).</summary>
    public void Note(string name, string detail)
    {
        (_events ??= new List<TrailEvent>(1)).Add(new TrailEvent(name, detail, _attempts.Count));
        DispatcherTelemetry.AddRequestEvent(TelemetryNames.NoteEventPrefix + name, new KeyValuePair<string, object?>(TelemetryNames.NoteDetail, detail));
    }

    /// <summary>Replaces the attempt at <paramref name="index"/> (a served attempt gains its repin note).</summary>
    internal void Amend(int index, AttemptRecord attempt) => _attempts[index] = attempt;

    /// <summary>SPEC.md's <c>x-dispatcher-fallback-reasons</c>: <c>alias=kind</c> per failed or skipped attempt, <c>;</c>-separated.</summary>
    public string FallbackReasons()
    {
        var failed = 0;
        foreach (var attempt in _attempts)
        {
            failed += attempt.Kind == FailureKind.None ? 0 : 1;
        }

        if (failed == 0)
        {
            return string.Empty;
        }

        var text = new StringBuilder();
        foreach (var attempt in _attempts)
        {
            if (attempt.Kind == FailureKind.None)
            {
                continue;
            }

            if (text.Length > 0)
            {
                text.Append(';');
            }

            text.Append(attempt.Model).Append('=').Append(attempt.Kind.ToWireName());
        }

        return text.ToString();
    }
}
