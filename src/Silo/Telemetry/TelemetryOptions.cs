namespace Dispatcher.Silo.Telemetry;

/// <summary>
/// The <c>Dispatcher:Telemetry</c> section. Where spans and metrics go is not here: the standard
/// <c>OTEL_EXPORTER_OTLP_*</c> variables say it (see <see cref="OtlpSettings"/>), and without an endpoint nothing is exported.
/// </summary>
public sealed class TelemetryOptions
{
    /// <summary>The configuration section name.</summary>
    public const string SectionName = "Dispatcher:Telemetry";

    /// <summary>
    /// The share of new traces recorded, 0 to 1, when <c>OTEL_TRACES_SAMPLER</c> is not set (the sampler is then
    /// parent-based: a client's sampled <c>traceparent</c> is followed). Default 1.0.
    /// </summary>
    public double SamplingRatio { get; set; } = 1.0;

    /// <summary>How many finished requests the node keeps in memory for the dashboard. Default 200.</summary>
    public int RecentRequests { get; set; } = 200;
}
