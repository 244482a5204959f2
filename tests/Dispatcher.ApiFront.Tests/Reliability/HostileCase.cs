namespace Dispatcher.ApiFront.Tests.Reliability;

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
