using Dispatcher.Silo.Telemetry;
using Microsoft.Extensions.Configuration;
using OpenTelemetry.Exporter;
using OpenTelemetry.Trace;
using Xunit;

namespace Dispatcher.Silo.Tests.Telemetry;

public sealed class OtlpSettingsTests
{
    [Fact]
    public void From_NoEndpoint_ExportsNothing()
    {
        var settings = Read();

        Assert.Null(settings.TracesEndpoint);
        Assert.Null(settings.MetricsEndpoint);
    }

    [Fact]
    public void From_GrpcByDefault_UsesTheEndpointAsIs()
    {
        var settings = Read(("OTEL_EXPORTER_OTLP_ENDPOINT", "http://localhost:4317"));

        Assert.Equal(OtlpExportProtocol.Grpc, settings.TracesProtocol);
        Assert.Equal(new Uri("http://localhost:4317"), settings.TracesEndpoint);
        Assert.Equal(new Uri("http://localhost:4317"), settings.MetricsEndpoint);
    }

    [Theory]
    [InlineData("http://collector:4318")]
    [InlineData("http://collector:4318/")]
    public void From_HttpProtobuf_PostsEachSignalToItsPath(string endpoint)
    {
        var settings = Read(("OTEL_EXPORTER_OTLP_ENDPOINT", endpoint), ("OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf"));

        Assert.Equal(OtlpExportProtocol.HttpProtobuf, settings.MetricsProtocol);
        Assert.Equal(new Uri("http://collector:4318/v1/traces"), settings.TracesEndpoint);
        Assert.Equal(new Uri("http://collector:4318/v1/metrics"), settings.MetricsEndpoint);
    }

    [Fact]
    public void From_SignalEndpoints_WinAndAreUsedAsIs()
    {
        var settings = Read(
            ("OTEL_EXPORTER_OTLP_ENDPOINT", "http://collector:4318"),
            ("OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf"),
            ("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "http://traces:9999/custom"));

        Assert.Equal(new Uri("http://traces:9999/custom"), settings.TracesEndpoint);
        Assert.Equal(new Uri("http://collector:4318/v1/metrics"), settings.MetricsEndpoint);
    }

    [Fact]
    public void From_ServiceNameIntervalHeadersAndResourceAttributes_AreRead()
    {
        var settings = Read(
            ("OTEL_SERVICE_NAME", "gateway-eu"),
            ("OTEL_METRIC_EXPORT_INTERVAL", "5000"),
            ("OTEL_EXPORTER_OTLP_HEADERS", "x-api-key=abc"),
            ("OTEL_RESOURCE_ATTRIBUTES", "deployment.environment=prod, team=ml%20ops"));

        Assert.Equal("gateway-eu", settings.ServiceName);
        Assert.Equal(5000, settings.MetricExportIntervalMilliseconds);
        Assert.Equal("x-api-key=abc", settings.Headers);
        Assert.Equal([new("deployment.environment", "prod"), new KeyValuePair<string, object>("team", "ml ops")], settings.ResourceAttributes);
    }

    [Fact]
    public void From_SdkDisabled_ExportsNothingEvenWithAnEndpoint()
    {
        var settings = Read(("OTEL_EXPORTER_OTLP_ENDPOINT", "http://localhost:4317"), ("OTEL_SDK_DISABLED", "true"));

        Assert.Null(settings.TracesEndpoint);
        Assert.Null(settings.MetricsEndpoint);
    }

    [Theory]
    [InlineData("OTEL_EXPORTER_OTLP_PROTOCOL", "http/json")]
    [InlineData("OTEL_EXPORTER_OTLP_ENDPOINT", "localhost:4317")]
    [InlineData("OTEL_TRACES_SAMPLER", "sometimes")]
    [InlineData("OTEL_METRIC_EXPORT_INTERVAL", "soon")]
    public void From_BadValue_FailsNamingTheVariable(string key, string value)
    {
        var error = Assert.Throws<InvalidOperationException>(() => Read((key, value)));

        Assert.StartsWith(key, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null, null, typeof(ParentBasedSampler))]
    [InlineData("always_on", null, typeof(AlwaysOnSampler))]
    [InlineData("always_off", null, typeof(AlwaysOffSampler))]
    [InlineData("traceidratio", "0.25", typeof(TraceIdRatioBasedSampler))]
    [InlineData("parentbased_traceidratio", "0.25", typeof(ParentBasedSampler))]
    [InlineData("parentbased_always_off", null, typeof(ParentBasedSampler))]
    public void SamplerFrom_StandardNames_MapToTheSdksSamplers(string? name, string? argument, Type expected)
    {
        Assert.IsType(expected, OtlpSettings.SamplerFrom(name, argument, 1.0));
    }

    [Fact]
    public void SamplerFrom_RatioOutOfRange_Fails()
    {
        Assert.Throws<InvalidOperationException>(() => OtlpSettings.SamplerFrom("traceidratio", "1.5", 1.0));
    }

    private static OtlpSettings Read(params (string Key, string Value)[] values) =>
        OtlpSettings.From(new ConfigurationBuilder()
            .AddInMemoryCollection(values.Select(pair => new KeyValuePair<string, string?>(pair.Key, pair.Value)))
            .Build(), samplingRatio: 1.0);
}
