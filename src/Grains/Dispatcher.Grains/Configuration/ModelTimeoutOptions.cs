namespace Dispatcher.Grains.Configuration;

/// <summary>Per-attempt timeouts of a model, and its stream health guards.</summary>
public sealed class ModelTimeoutOptions
{
    /// <summary>Streams: longest wait for the first content chunk (the commit point). Default 15 s.</summary>
    public TimeSpan FirstToken { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>Streams: longest silence between chunks after the first. Default 30 s.</summary>
    public TimeSpan Idle { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Whole attempt, stream or not. Default 5 min.</summary>
    public TimeSpan Total { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// Streams: after the commit point, fewer output tokens than this per second over a
    /// <see cref="ThroughputWindow"/> ends the attempt as <c>stream_stalled</c> (a stream trickling too slowly to be
    /// useful). Tokens are counted as content deltas (one per chunk, as the major APIs stream). Default null: off.
    /// </summary>
    public double? MinTokensPerSecond { get; set; }

    /// <summary>The window <see cref="MinTokensPerSecond"/> is measured over. Default 10 s.</summary>
    public TimeSpan ThroughputWindow { get; set; } = TimeSpan.FromSeconds(10);
}
