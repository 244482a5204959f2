using System.Buffers;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Dispatcher.Benchmarks.Forwarding;

/// <summary>
/// The floor for a .NET proxy hop: Kestrel plus one pooled <see cref="HttpMessageInvoker"/>, copying the request and
/// the response (status, headers, body with a flush after every read, so streams pass chunk by chunk). No parsing, no
/// logging per request. <c>Dispatcher.Benchmarks forwarder --urls http://127.0.0.1:9200 --upstream http://127.0.0.1:9100</c>.
/// </summary>
internal static class Forwarder
{
    private static readonly HashSet<string> HopByHop = new(StringComparer.OrdinalIgnoreCase)
    {
        "Connection", "Keep-Alive", "Transfer-Encoding", "Upgrade", "Proxy-Connection", "TE", "Trailer", "Host",
    };

    public static async Task RunAsync(string[] args)
    {
        var builder = WebApplication.CreateSlimBuilder(args);
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.AddServerHeader = false);
        var upstream = builder.Configuration["upstream"] ?? throw new ArgumentException("--upstream <base url> is required");
        using var invoker = new HttpMessageInvoker(new SocketsHttpHandler
        {
            UseProxy = false, AllowAutoRedirect = false, UseCookies = false,
            AutomaticDecompression = DecompressionMethods.None, PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
            ActivityHeadersPropagator = null,
        });
        var app = builder.Build();
        app.MapGet("/healthz", () => "ok");
        app.Map("/{**path}", context => ForwardAsync(context, invoker, upstream.TrimEnd('/')));
        await app.RunAsync();
    }

    private static async Task ForwardAsync(HttpContext context, HttpMessageInvoker invoker, string upstream)
    {
        var request = context.Request;
        using var outgoing = new HttpRequestMessage(new HttpMethod(request.Method), upstream + request.Path + request.QueryString);
        if (request.ContentLength > 0 || request.Headers.TransferEncoding.Count > 0)
        {
            outgoing.Content = new StreamContent(request.Body);
        }

        foreach (var (name, value) in request.Headers)
        {
            if (!HopByHop.Contains(name) && !outgoing.Headers.TryAddWithoutValidation(name, (IEnumerable<string?>)value))
            {
                outgoing.Content?.Headers.TryAddWithoutValidation(name, (IEnumerable<string?>)value);
            }
        }

        using var incoming = await invoker.SendAsync(outgoing, context.RequestAborted);
        var response = context.Response;
        response.StatusCode = (int)incoming.StatusCode;
        CopyHeaders(incoming.Headers, response.Headers);
        CopyHeaders(incoming.Content.Headers, response.Headers);
        await using var body = await incoming.Content.ReadAsStreamAsync(context.RequestAborted);
        var buffer = ArrayPool<byte>.Shared.Rent(16 * 1024);
        try
        {
            int read;
            while ((read = await body.ReadAsync(buffer, context.RequestAborted)) > 0)
            {
                await response.Body.WriteAsync(buffer.AsMemory(0, read), context.RequestAborted);
                await response.Body.FlushAsync(context.RequestAborted);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static void CopyHeaders(System.Net.Http.Headers.HttpHeaders from, IHeaderDictionary to)
    {
        foreach (var (name, values) in from.NonValidated)
        {
            if (!HopByHop.Contains(name))
            {
                to[name] = values.Count == 1 ? values.ToString() : values.ToArray();
            }
        }
    }
}
