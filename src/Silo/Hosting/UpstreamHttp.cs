using System.Net;

namespace Dispatcher.Silo.Hosting;

/// <summary>
/// The one HTTP client every adapter shares. Timeouts are the dispatcher's (per attempt, per model), so the
/// client has none; connections are pooled without limit and recycled so DNS changes are seen.
/// </summary>
internal static class UpstreamHttp
{
    public static HttpClient CreateClient()
    {
        var handler = new SocketsHttpHandler
        {
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(1),
            ConnectTimeout = TimeSpan.FromSeconds(10),
            MaxConnectionsPerServer = int.MaxValue,
            EnableMultipleHttp2Connections = true,
            AllowAutoRedirect = false,
            UseCookies = false,
            AutomaticDecompression = DecompressionMethods.None,
            MaxResponseHeadersLength = 64,
            // An abandoned stream (client gone, stall, hedge lost) must end the upstream call at once, not be drained.
            MaxResponseDrainSize = 0,
            // The adapters inject the attempt span's traceparent themselves; the handler's own propagation would add
            // an unexported span between the attempt and the upstream.
            ActivityHeadersPropagator = null,
        };
        return new HttpClient(handler, disposeHandler: true) { Timeout = Timeout.InfiniteTimeSpan };
    }
}
