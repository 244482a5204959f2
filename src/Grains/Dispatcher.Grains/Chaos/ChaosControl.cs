using Dispatcher.Grains.Configuration;
using Dispatcher.Providers;
using Dispatcher.Providers.Chaos;

namespace Dispatcher.Grains.Chaos;

/// <summary>
/// The node's fault injection: each provider's current <see cref="ChaosSettings"/>, read by its <see cref="ChaosAdapter"/>
/// on every attempt and changed by the operator API. With <see cref="ChaosOptions.Enabled"/> off nothing is wrapped.
/// </summary>
public sealed class ChaosControl
{
    private readonly Dictionary<string, Slot> _slots;
    private readonly Func<double> _randomizer;
    private readonly TimeProvider _time;

    /// <summary>Builds the control from the validated configuration.</summary>
    public ChaosControl(ChaosOptions options, IReadOnlyDictionary<string, ProviderOptions> providers, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(providers);
        Enabled = options.Enabled;
        Seed = options.Seed;
        _time = time;
        _slots = new Dictionary<string, Slot>(StringComparer.OrdinalIgnoreCase);
        foreach (var (name, provider) in providers)
        {
            _slots[name] = new Slot(name, Enabled ? provider.Chaos.ToSettings() : ChaosSettings.Off);
        }

        if (options.Seed is { } seed)
        {
            // Attempts run concurrently; one seeded sequence behind a lock keeps a run reproducible in its totals.
            var random = new Random(seed);
            var gate = new Lock();
            _randomizer = () =>
            {
                lock (gate)
                {
                    return random.NextDouble();
                }
            };
        }
        else
        {
            _randomizer = static () => Random.Shared.NextDouble();
        }
    }

    /// <summary>True when <c>Dispatcher:Chaos:Enabled</c> is set.</summary>
    public bool Enabled { get; }

    /// <summary>The configured seed, if any.</summary>
    public int? Seed { get; }

    /// <summary>Each provider's current settings, by name (ordinal order).</summary>
    public IReadOnlyList<(string Provider, ChaosSettings Settings)> Snapshot()
    {
        var list = new List<(string, ChaosSettings)>(_slots.Count);
        foreach (var slot in _slots.Values)
        {
            list.Add((slot.Name, slot.Current));
        }

        list.Sort(static (a, b) => string.CompareOrdinal(a.Item1, b.Item1));
        return list;
    }

    /// <summary>True when <paramref name="provider"/> is a configured provider.</summary>
    public bool Knows(string provider) => _slots.ContainsKey(provider);

    /// <summary>Replaces <paramref name="provider"/>'s settings; false when chaos is disabled or the provider unknown.</summary>
    public bool TrySet(string provider, ChaosSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        if (!Enabled || !_slots.TryGetValue(provider, out var slot))
        {
            return false;
        }

        slot.Current = settings;
        return true;
    }

    /// <summary>Turns injection off for every provider.</summary>
    public void Clear()
    {
        foreach (var slot in _slots.Values)
        {
            slot.Current = ChaosSettings.Off;
        }
    }

    /// <summary><paramref name="adapter"/> wrapped in the chaos strategies when chaos is enabled, else itself.</summary>
    public IChatAdapter Wrap(string provider, IChatAdapter adapter)
    {
        if (!Enabled)
        {
            return adapter;
        }

        var slot = _slots[provider];
        return new ChaosAdapter(adapter, () => slot.Current, _randomizer, _time);
    }

    private sealed class Slot(string name, ChaosSettings current)
    {
        private volatile ChaosSettings _current = current;

        public string Name { get; } = name;

        public ChaosSettings Current
        {
            get => _current;
            set => _current = value;
        }
    }
}
