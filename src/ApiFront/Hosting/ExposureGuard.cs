using System.Net;
using Microsoft.Extensions.Configuration;

namespace Dispatcher.ApiFront.Hosting;

/// <summary>
/// Refuses to start a front that would serve other machines without authentication: without an admin key
/// (<c>Dispatcher:Auth:AdminKey</c>, which turns virtual keys on) every listening address must be loopback, unless
/// <c>Dispatcher:Auth:AllowAnonymous</c> says otherwise, explicitly. (SPEC.md: "With no keys configured the front
/// serves loopback only".)
/// </summary>
public static class ExposureGuard
{
    /// <summary>The configuration key that allows serving non-loopback addresses without keys.</summary>
    public const string AllowAnonymousKey = "Dispatcher:Auth:AllowAnonymous";

    /// <summary>The configuration key of the admin key: set, requests need keys and any address may be served.</summary>
    public const string AdminKeyKey = "Dispatcher:Auth:AdminKey";

    /// <summary>Throws when <paramref name="urls"/> name a non-loopback address and anonymous access is not allowed.</summary>
    public static void Check(IConfiguration configuration, IEnumerable<string> urls)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentNullException.ThrowIfNull(urls);
        if (configuration.GetValue<bool>(AllowAnonymousKey) || !string.IsNullOrEmpty(configuration[AdminKeyKey]))
        {
            return;
        }

        var exposed = urls.Where(static url => !IsLoopback(url)).ToArray();
        if (exposed.Length > 0)
        {
            throw new InvalidOperationException(
                $"Dispatcher would listen on {string.Join(", ", exposed)} without authentication: with no admin key it serves loopback only. "
                + $"Set {AdminKeyKey} (e.g. env:DISPATCHER_ADMIN_KEY) to require virtual keys, listen on 127.0.0.1 behind an authenticating proxy, "
                + $"or set {AllowAnonymousKey}=true to serve anyone who can reach it.");
        }
    }

    private static bool IsLoopback(string url)
    {
        var host = url.Trim();
        var scheme = host.IndexOf("://", StringComparison.Ordinal);
        host = scheme >= 0 ? host[(scheme + 3)..] : host;
        var end = host.StartsWith('[') ? host.IndexOf(']', StringComparison.Ordinal) + 1 : host.IndexOfAny([':', '/']);
        host = end > 0 ? host[..end] : host;
        if (string.Equals(host, "localhost", StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        return IPAddress.TryParse(host.Trim('[', ']'), out var address) && IPAddress.IsLoopback(address);
    }
}
