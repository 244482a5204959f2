namespace Dispatcher.Grains.Configuration;

/// <summary>Per-attempt timeouts of a model.</summary>
public sealed class ModelTimeoutOptions
{
    /// <summary>Streams: longest wait for the first content chunk (the commit point). Default 15 s.</summary>
    public TimeSpan FirstToken { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>Streams: longest silence between chunks after the first. Default 30 s.</summary>
    public TimeSpan Idle { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Whole attempt, stream or not. Default 5 min.</summary>
    public TimeSpan Total { get; set; } = TimeSpan.FromMinutes(5);
}
