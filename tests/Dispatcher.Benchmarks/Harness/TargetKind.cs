namespace Dispatcher.Benchmarks.Harness;

/// <summary>What sits between the load and FakeUpstream.</summary>
internal enum TargetKind
{
    /// <summary>Nothing: FakeUpstream itself.</summary>
    Direct,

    /// <summary>The bare pass-through forwarder, the floor for a .NET proxy hop.</summary>
    Forwarder,

    /// <summary>A Dispatcher node.</summary>
    Dispatcher,

    /// <summary>Another gateway (Portkey).</summary>
    Peer,
}
