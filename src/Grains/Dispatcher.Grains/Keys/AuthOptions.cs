namespace Dispatcher.Grains.Keys;

/// <summary>The <c>Dispatcher:Auth</c> section.</summary>
public sealed class AuthOptions
{
    /// <summary>The configuration section name.</summary>
    public const string SectionName = "Dispatcher:Auth";

    /// <summary>
    /// The admin key, literal or <c>env:VAR</c> like provider keys. Set = authentication on: chat needs a virtual key,
    /// the operator API, <c>/dashboard</c> and key management need this key. Default null: off (loopback only).
    /// </summary>
    public string? AdminKey { get; set; }

    /// <summary>Serve non-loopback addresses without authentication (explicit opt-in). Default false.</summary>
    public bool AllowAnonymous { get; set; }
}
