namespace Dispatcher.FakeUpstream;

/// <summary>Start-up settings of a <see cref="FakeUpstreamServer"/>.</summary>
public sealed record FakeUpstreamOptions
{
    /// <summary>The assistant text of a normal answer.</summary>
    /// <value>Default "Hello! This is the fake upstream."</value>
    public string Content { get; init; } = "Hello! This is the fake upstream.";

    /// <summary>How many content deltas a streamed answer is split into (fewer when the text is shorter).</summary>
    /// <value>Default 5; at least 1.</value>
    public int StreamChunks { get; init; } = 5;

    /// <summary>Pause between two streamed events after the first one.</summary>
    /// <value>Default zero.</value>
    public TimeSpan ChunkDelay { get; init; }

    /// <summary>Pause before the response headers of every answer.</summary>
    /// <value>Default zero.</value>
    public TimeSpan Latency { get; init; }

    /// <summary>The TCP port to listen on.</summary>
    /// <value>Default 0: any free port, read it from <see cref="FakeUpstreamServer.BaseUrl"/>.</value>
    public int Port { get; init; }

    /// <summary>The IP address to listen on.</summary>
    /// <value>Default "127.0.0.1" (loopback only); "localhost" means loopback.</value>
    public string Host { get; init; } = "127.0.0.1";

    /// <summary>Whether every request is kept for <see cref="FakeUpstreamServer.Received"/>.</summary>
    /// <value>Default true; the load benchmark turns it off.</value>
    public bool RecordRequests { get; init; } = true;
}
