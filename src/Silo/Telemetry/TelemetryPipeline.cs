using Dispatcher.Grains.Telemetry;
using Microsoft.Extensions.Hosting;
using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Dispatcher.Silo.Telemetry;

/// <summary>
/// Owns the OpenTelemetry SDK of the node (no hosting package restores here, so it is wired by hand): a tracer
/// provider listening to the <c>Dispatcher</c> activity source and a meter provider listening to the
/// <c>Dispatcher</c> meter, each exporting over OTLP when its endpoint is configured. Built at start, flushed at stop,
/// disposed with the container.
/// </summary>
public sealed class TelemetryPipeline : IHostedService, IDisposable
{
    private readonly OtlpSettings _settings;
    private readonly string _instanceId;
    private readonly Func<IDisposable>? _createGauges;
    private TracerProvider? _tracer;
    private MeterProvider? _meter;
    private IDisposable? _gauges;

    /// <summary>Creates the pipeline; nothing listens until <see cref="StartAsync"/>.</summary>
    /// <param name="settings">Where to export.</param>
    /// <param name="instanceId">The <c>service.instance.id</c>.</param>
    /// <param name="createGauges">
    /// Registers the node's observable gauges (<see cref="ProviderGauges"/>), only when metrics are exported: several
    /// nodes in one process (the tests) would otherwise share one metric stream, which ends when any node disposes it.
    /// </param>
    public TelemetryPipeline(OtlpSettings settings, string instanceId, Func<IDisposable>? createGauges = null)
    {
        _settings = settings;
        _instanceId = instanceId;
        _createGauges = createGauges;
    }

    /// <summary>True when traces are exported.</summary>
    public bool TracesEnabled => _tracer is not null;

    /// <summary>True when metrics are exported.</summary>
    public bool MetricsEnabled => _meter is not null;

    /// <inheritdoc />
    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (_settings.TracesEndpoint is { } traces)
        {
            _tracer = Sdk.CreateTracerProviderBuilder()
                .SetResourceBuilder(Resource())
                .AddSource(DispatcherTelemetry.Name)
                .SetSampler(_settings.Sampler)
                .AddOtlpExporter(exporter => Configure(exporter, traces, _settings.TracesProtocol))
                .Build();
        }

        if (_settings.MetricsEndpoint is { } metrics)
        {
            _gauges = _createGauges?.Invoke();
            _meter = Sdk.CreateMeterProviderBuilder()
                .SetResourceBuilder(Resource())
                .AddMeter(DispatcherTelemetry.Name)
                .AddOtlpExporter((exporter, reader) =>
                {
                    Configure(exporter, metrics, _settings.MetricsProtocol);
                    reader.PeriodicExportingMetricReaderOptions.ExportIntervalMilliseconds = _settings.MetricExportIntervalMilliseconds;
                })
                .Build();
        }

        return Task.CompletedTask;
    }

    /// <summary>Exports what is buffered now: spans ended so far and the current metric values.</summary>
    public bool ForceFlush(int timeoutMilliseconds = 10_000)
    {
        var traces = _tracer?.ForceFlush(timeoutMilliseconds) ?? true;
        var metrics = _meter?.ForceFlush(timeoutMilliseconds) ?? true;
        return traces && metrics;
    }

    /// <inheritdoc />
    public Task StopAsync(CancellationToken cancellationToken)
    {
        // The front has drained by now (the server stops before the services registered ahead of it): send the rest.
        ForceFlush(_settings.TimeoutMilliseconds);
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _tracer?.Dispose();
        _meter?.Dispose();
        _gauges?.Dispose();
        _tracer = null;
        _meter = null;
        _gauges = null;
    }

    private ResourceBuilder Resource() =>
        ResourceBuilder.CreateEmpty()
            .AddService(_settings.ServiceName, serviceNamespace: null, serviceVersion: typeof(TelemetryPipeline).Assembly.GetName().Version?.ToString(),
                autoGenerateServiceInstanceId: false, serviceInstanceId: _instanceId)
            .AddAttributes(_settings.ResourceAttributes);

    private void Configure(OtlpExporterOptions exporter, Uri endpoint, OtlpExportProtocol protocol)
    {
        exporter.Endpoint = endpoint;
        exporter.Protocol = protocol;
        exporter.TimeoutMilliseconds = _settings.TimeoutMilliseconds;
        if (_settings.Headers is { Length: > 0 } headers)
        {
            exporter.Headers = headers;
        }
    }
}
