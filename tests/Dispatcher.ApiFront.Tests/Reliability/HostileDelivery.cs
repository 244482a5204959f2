namespace Dispatcher.ApiFront.Tests.Reliability;

/// <summary>How a hostile request reaches the front.</summary>
public enum HostileDelivery
{
    /// <summary>HttpClient, the body sent at once.</summary>
    Plain,

    /// <summary>A raw socket: the body trickled in small pieces.</summary>
    Slow,

    /// <summary>A raw socket: Content-Length promises more than is sent, then the client stops writing.</summary>
    Truncated,

    /// <summary>A raw socket: header bytes HttpClient refuses to send (control characters, non-ASCII).</summary>
    RawHeaders,
}
