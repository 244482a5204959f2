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

/// <summary>One generated hostile request.</summary>
/// <param name="Number">Its position in the corpus.</param>
/// <param name="Family">What it attacks (for the summary).</param>
/// <param name="Body">The body bytes.</param>
/// <param name="ContentType">The Content-Type header, or null for none.</param>
/// <param name="Headers">Extra headers.</param>
/// <param name="Delivery">How it is sent.</param>
/// <param name="Method">The HTTP method.</param>
public sealed record HostileCase(int Number, string Family, byte[] Body, string? ContentType,
    IReadOnlyList<KeyValuePair<string, string>> Headers, HostileDelivery Delivery, string Method = "POST")
{
    /// <summary>Kestrel itself may refuse these before the application runs (bare 4xx, no body).</summary>
    public bool ProtocolLevel => Delivery is HostileDelivery.Truncated or HostileDelivery.RawHeaders;
}
