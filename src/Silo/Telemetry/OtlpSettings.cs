using System.Globalization;
using Microsoft.Extensions.Configuration;
using OpenTelemetry.Exporter;
using OpenTelemetry.Trace;

namespace Dispatcher.Silo.Telemetry;

/// <summary>
/// The OpenTelemetry SDK's standard variables, read from configuration (so environment variables, JSON files and the
/// command line all work): <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> (or the per-signal <c>_TRACES_ENDPOINT</c> /
/// <c>_METRICS_ENDPOINT</c>), <c>OTEL_EXPORTER_OTLP_PROTOCOL</c> (<c>grpc</c>, the .NET default, or
/// <c>http/protobuf</c>), <c>OTEL_EXPORTER_OTLP_HEADERS</c>, <c>OTEL_EXPORTER_OTLP_TIMEOUT</c>, <c>OTEL_SERVICE_NAME</c>,
/// <c>OTEL_RESOURCE_ATTRIBUTES</c>, <c>OTEL_TRACES_SAMPLER</c> (+<c>_ARG</c>), <c>OTEL_METRIC_EXPORT_INTERVAL</c> and
/// <c>OTEL_SDK_DISABLED</c>.
/// </summary>
public sealed record OtlpSettings
{
    /// <summary>Where traces go (the full URL for http/protobuf); null = no trace export.</summary>
    public Uri? TracesEndpoint { get; init; }

    /// <summary>Where metrics go; null = no metric export.</summary>
    public Uri? MetricsEndpoint { get; init; }

    /// <summary>The protocol of traces.</summary>
    public OtlpExportProtocol TracesProtocol { get; init; } = OtlpExportProtocol.Grpc;

    /// <summary>The protocol of metrics.</summary>
    public OtlpExportProtocol MetricsProtocol { get; init; } = OtlpExportProtocol.Grpc;

    /// <summary>Extra export headers, <c>k=v,k2=v2</c> (e.g. a collector's API key).</summary>
    public string? Headers { get; init; }

    /// <summary>Export timeout in milliseconds. Default 10000.</summary>
    public int TimeoutMilliseconds { get; init; } = 10_000;

    /// <summary>The <c>service.name</c> resource attribute. Default <c>dispatcher</c>.</summary>
    public string ServiceName { get; init; } = "dispatcher";

    /// <summary>Extra resource attributes from <c>OTEL_RESOURCE_ATTRIBUTES</c>.</summary>
    public IReadOnlyList<KeyValuePair<string, object>> ResourceAttributes { get; init; } = [];

    /// <summary>The trace sampler.</summary>
    public required Sampler Sampler { get; init; }

    /// <summary>How often metrics are exported, in milliseconds. Default 60000.</summary>
    public int MetricExportIntervalMilliseconds { get; init; } = 60_000;

    /// <summary>Reads the settings; <paramref name="samplingRatio"/> applies when no sampler variable is set.</summary>
    /// <exception cref="InvalidOperationException">A variable has a value the SDK does not define.</exception>
    public static OtlpSettings From(IConfiguration configuration, double samplingRatio)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        if (string.Equals(configuration["OTEL_SDK_DISABLED"], "true", StringComparison.OrdinalIgnoreCase))
        {
            return new OtlpSettings { Sampler = new AlwaysOffSampler() };
        }

        var protocol = Protocol(configuration, "OTEL_EXPORTER_OTLP_PROTOCOL", OtlpExportProtocol.Grpc);
        var tracesProtocol = Protocol(configuration, "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL", protocol);
        var metricsProtocol = Protocol(configuration, "OTEL_EXPORTER_OTLP_METRICS_PROTOCOL", protocol);
        var baseUrl = Url(configuration, "OTEL_EXPORTER_OTLP_ENDPOINT");
        return new OtlpSettings
        {
            TracesProtocol = tracesProtocol,
            MetricsProtocol = metricsProtocol,
            TracesEndpoint = Url(configuration, "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT") ?? SignalUrl(baseUrl, tracesProtocol, "v1/traces"),
            MetricsEndpoint = Url(configuration, "OTEL_EXPORTER_OTLP_METRICS_ENDPOINT") ?? SignalUrl(baseUrl, metricsProtocol, "v1/metrics"),
            Headers = configuration["OTEL_EXPORTER_OTLP_HEADERS"],
            TimeoutMilliseconds = Milliseconds(configuration, "OTEL_EXPORTER_OTLP_TIMEOUT", 10_000),
            ServiceName = configuration["OTEL_SERVICE_NAME"] is { Length: > 0 } name ? name : "dispatcher",
            ResourceAttributes = Pairs(configuration["OTEL_RESOURCE_ATTRIBUTES"]),
            Sampler = SamplerFrom(configuration["OTEL_TRACES_SAMPLER"], configuration["OTEL_TRACES_SAMPLER_ARG"], samplingRatio),
            MetricExportIntervalMilliseconds = Milliseconds(configuration, "OTEL_METRIC_EXPORT_INTERVAL", 60_000),
        };
    }

    /// <summary>The sampler an <c>OTEL_TRACES_SAMPLER</c> value names; unset = parent-based with <paramref name="ratio"/>.</summary>
    public static Sampler SamplerFrom(string? name, string? argument, double ratio)
    {
        var arg = argument is { Length: > 0 } text && double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var parsed) ? parsed : 1.0;
        if (arg is < 0 or > 1)
        {
            throw new InvalidOperationException($"OTEL_TRACES_SAMPLER_ARG must be a ratio from 0 to 1, not '{argument}'.");
        }

        return name?.Trim().ToLowerInvariant() switch
        {
            null or "" => new ParentBasedSampler(Ratio(ratio)),
            "always_on" => new AlwaysOnSampler(),
            "always_off" => new AlwaysOffSampler(),
            "traceidratio" => new TraceIdRatioBasedSampler(arg),
            "parentbased_always_on" => new ParentBasedSampler(new AlwaysOnSampler()),
            "parentbased_always_off" => new ParentBasedSampler(new AlwaysOffSampler()),
            "parentbased_traceidratio" => new ParentBasedSampler(new TraceIdRatioBasedSampler(arg)),
            _ => throw new InvalidOperationException(
                $"OTEL_TRACES_SAMPLER '{name}' is not one of always_on, always_off, traceidratio, parentbased_always_on, parentbased_always_off, parentbased_traceidratio."),
        };
    }

    private static Sampler Ratio(double ratio) => ratio >= 1 ? new AlwaysOnSampler() : new TraceIdRatioBasedSampler(ratio);

    private static OtlpExportProtocol Protocol(IConfiguration configuration, string key, OtlpExportProtocol fallback) =>
        configuration[key]?.Trim().ToLowerInvariant() switch
        {
            null or "" => fallback,
            "grpc" => OtlpExportProtocol.Grpc,
            "http/protobuf" => OtlpExportProtocol.HttpProtobuf,
            var other => throw new InvalidOperationException($"{key} '{other}' is not supported: use grpc or http/protobuf."),
        };

    private static Uri? Url(IConfiguration configuration, string key)
    {
        var value = configuration[key];
        if (string.IsNullOrWhiteSpace(value))
        {
            return null;
        }

        return Uri.TryCreate(value.Trim(), UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps)
            ? uri
            : throw new InvalidOperationException($"{key} must be an absolute http(s) URL, not '{value}'.");
    }

    /// <summary>gRPC takes the base URL; http/protobuf posts each signal to its own path under it (as the OTLP spec says).</summary>
    private static Uri? SignalUrl(Uri? baseUrl, OtlpExportProtocol protocol, string path)
    {
        if (baseUrl is null || protocol == OtlpExportProtocol.Grpc)
        {
            return baseUrl;
        }

        var text = baseUrl.ToString();
        return new Uri(text.EndsWith('/') ? text + path : text + "/" + path);
    }

    private static int Milliseconds(IConfiguration configuration, string key, int fallback)
    {
        var value = configuration[key];
        if (string.IsNullOrWhiteSpace(value))
        {
            return fallback;
        }

        return int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var ms) && ms > 0
            ? ms
            : throw new InvalidOperationException($"{key} must be a positive number of milliseconds, not '{value}'.");
    }

    private static KeyValuePair<string, object>[] Pairs(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return [];
        }

        var pairs = new List<KeyValuePair<string, object>>();
        foreach (var item in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var equals = item.IndexOf('=', StringComparison.Ordinal);
            if (equals > 0)
            {
                pairs.Add(new(item[..equals].Trim(), Uri.UnescapeDataString(item[(equals + 1)..].Trim())));
            }
        }

        return pairs.ToArray();
    }
}
