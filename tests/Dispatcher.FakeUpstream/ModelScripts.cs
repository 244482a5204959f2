using System.Collections.Concurrent;

namespace Dispatcher.FakeUpstream;

/// <summary>Every model's script and the call counters; picks the behavior for the next request.</summary>
internal sealed class ModelScripts
{
    private static readonly FakeBehavior GlobalDefault = FakeBehavior.Ok();

    private readonly ConcurrentDictionary<string, ModelState> _models = new(StringComparer.Ordinal);
    private int _total;

    public int TotalCalls => Volatile.Read(ref _total);

    public ModelState Get(string model) => _models.GetOrAdd(model, static name => new ModelState(name));

    public void CountRequest() => Interlocked.Increment(ref _total);

    /// <summary>The queue first, then the model's default, then what its name asks for, then <see cref="FakeBehavior.Ok"/>.</summary>
    public static FakeBehavior Next(ModelState model) =>
        model.Queue.TryDequeue(out var queued) ? queued : model.Default ?? model.NamedBehavior ?? GlobalDefault;

    public int CallCount(string model) => _models.TryGetValue(model, out var state) ? state.Calls : 0;

    /// <summary>Every model seen or scripted, with its call count, ordered by name.</summary>
    public IReadOnlyList<(string Model, int Calls)> Snapshot()
    {
        var result = new List<(string, int)>();
        foreach (var (name, state) in _models)
        {
            result.Add((name, state.Calls));
        }

        result.Sort(static (a, b) => string.CompareOrdinal(a.Item1, b.Item1));
        return result;
    }

    public void Reset()
    {
        _models.Clear();
        Volatile.Write(ref _total, 0);
    }
}
