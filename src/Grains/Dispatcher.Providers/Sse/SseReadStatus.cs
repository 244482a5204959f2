namespace Dispatcher.Providers.Sse;

/// <summary>What <see cref="SseEventReader.ReadAsync"/> found.</summary>
public enum SseReadStatus
{
    /// <summary>An event with data is ready in <see cref="SseEventReader.Data"/>.</summary>
    Event,

    /// <summary>The body ended.</summary>
    EndOfStream,

    /// <summary>An event or line exceeded the size limit.</summary>
    TooLarge,
}
