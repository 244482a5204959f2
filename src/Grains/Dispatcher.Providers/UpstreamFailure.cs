namespace Dispatcher.Providers;

/// <summary>
/// A classified failed attempt. <see cref="Detail"/> is Dispatcher's own wording: upstream error text is never
/// copied into it, because upstreams echo keys and prompts back.
/// </summary>
/// <param name="Kind">The failure kind.</param>
/// <param name="StatusCode">The upstream HTTP status, or 0 when no response arrived.</param>
/// <param name="RetryAfter">How long the upstream asked us to wait (Retry-After, retry-after-ms, x-ratelimit-reset-*).</param>
/// <param name="Detail">A short description in Dispatcher's words.</param>
public sealed record UpstreamFailure(FailureKind Kind, int StatusCode, TimeSpan? RetryAfter, string Detail)
{
    /// <summary>A failure that did not come from an HTTP answer (connection, timeout, cancellation).</summary>
    public static UpstreamFailure Of(FailureKind kind, string detail) => new(kind, 0, null, detail);
}
