using System.Buffers.Binary;
using System.IO.Compression;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Logging;

namespace Dispatcher.TestSupport.Otlp;

/// <summary>
/// An OTLP receiver on loopback, as a collector or Jaeger would be: HTTP/protobuf (<c>POST /v1/traces</c>,
/// <c>/v1/metrics</c>) on one port and gRPC (h2c, the TraceService and MetricsService Export methods) on another.
/// Keeps every span and the data points of every metrics export, decoded by hand.
/// </summary>
public sealed class OtlpReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly Lock _gate = new();
    private readonly List<OtlpSpan> _spans = [];
    private readonly List<string> _paths = [];
    private List<OtlpPoint> _latestPoints = [];
    private TaskCompletionSource _arrived = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private OtlpReceiver(WebApplication app) => _app = app;

    /// <summary>The base URL for http/protobuf (signals post to /v1/traces and /v1/metrics under it).</summary>
    public Uri HttpEndpoint { get; private set; } = null!;

    /// <summary>The URL for gRPC.</summary>
    public Uri GrpcEndpoint { get; private set; } = null!;

    public static async Task<OtlpReceiver> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Listen(System.Net.IPAddress.Loopback, 0, listen => listen.Protocols = HttpProtocols.Http1);
            kestrel.Listen(System.Net.IPAddress.Loopback, 0, listen => listen.Protocols = HttpProtocols.Http2);
        });
        var app = builder.Build();
        var receiver = new OtlpReceiver(app);
        app.MapPost("/v1/traces", context => receiver.HttpAsync(context, traces: true));
        app.MapPost("/v1/metrics", context => receiver.HttpAsync(context, traces: false));
        app.MapPost("/opentelemetry.proto.collector.trace.v1.TraceService/Export", context => receiver.GrpcAsync(context, traces: true));
        app.MapPost("/opentelemetry.proto.collector.metrics.v1.MetricsService/Export", context => receiver.GrpcAsync(context, traces: false));
        await app.StartAsync();
        var urls = app.Urls.ToArray();
        receiver.HttpEndpoint = new Uri(urls[0]);
        receiver.GrpcEndpoint = new Uri(urls[1]);
        return receiver;
    }

    /// <summary>Every span received so far.</summary>
    public IReadOnlyList<OtlpSpan> Spans
    {
        get
        {
            lock (_gate)
            {
                return _spans.ToArray();
            }
        }
    }

    /// <summary>The data points of the last metrics export (cumulative values).</summary>
    public IReadOnlyList<OtlpPoint> LatestPoints
    {
        get
        {
            lock (_gate)
            {
                return _latestPoints;
            }
        }
    }

    /// <summary>The request paths of every export received, e.g. <c>/v1/traces</c>.</summary>
    public IReadOnlyList<string> Paths
    {
        get
        {
            lock (_gate)
            {
                return _paths.ToArray();
            }
        }
    }

    /// <summary>Waits until <paramref name="probe"/> returns a value, re-checking after each export that arrives.</summary>
    public async Task<T> WaitForAsync<T>(Func<OtlpReceiver, T?> probe, CancellationToken cancellationToken)
        where T : class
    {
        while (true)
        {
            Task arrived;
            lock (_gate)
            {
                arrived = _arrived.Task;
            }

            if (probe(this) is { } found)
            {
                return found;
            }

            await arrived.WaitAsync(cancellationToken);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private async Task HttpAsync(HttpContext context, bool traces)
    {
        var body = await ReadAsync(context.Request.Body, context.Request.Headers.ContentEncoding.ToString() == "gzip");
        Accept(context.Request.Path, body, traces);
        context.Response.ContentType = "application/x-protobuf";
    }

    private async Task GrpcAsync(HttpContext context, bool traces)
    {
        var body = await ReadAsync(context.Request.Body, gzip: false);
        for (var offset = 0; offset + 5 <= body.Length;)
        {
            var length = (int)BinaryPrimitives.ReadUInt32BigEndian(body.AsSpan(offset + 1, 4));
            var message = body.AsSpan(offset + 5, length).ToArray();
            Accept(context.Request.Path, body[0 + offset] == 1 ? Gunzip(message) : message, traces);
            offset += 5 + length;
        }

        context.Response.ContentType = "application/grpc";
        await context.Response.Body.WriteAsync(new byte[5]);
        context.Response.AppendTrailer("grpc-status", "0");
    }

    private void Accept(string path, byte[] body, bool traces)
    {
        var spans = traces ? OtlpDecoder.Spans(body) : null;
        var points = traces ? null : OtlpDecoder.Points(body);
        TaskCompletionSource arrived;
        lock (_gate)
        {
            _paths.Add(path);
            if (spans is not null)
            {
                _spans.AddRange(spans);
            }
            else
            {
                _latestPoints = points!;
            }

            arrived = _arrived;
            _arrived = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        arrived.TrySetResult();
    }

    private static async Task<byte[]> ReadAsync(Stream body, bool gzip)
    {
        using var buffer = new MemoryStream();
        await body.CopyToAsync(buffer);
        return gzip ? Gunzip(buffer.ToArray()) : buffer.ToArray();
    }

    private static byte[] Gunzip(byte[] data)
    {
        using var input = new GZipStream(new MemoryStream(data), CompressionMode.Decompress);
        using var output = new MemoryStream();
        input.CopyTo(output);
        return output.ToArray();
    }
}
