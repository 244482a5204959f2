using Dispatcher.ApiFront.Tests.TestHost;
using Dispatcher.FakeUpstream;
using Dispatcher.Silo.Telemetry;
using Dispatcher.TestSupport.Otlp;
using Microsoft.Extensions.Configuration;
using OpenAI.Chat;

namespace Dispatcher.ApiFront.Tests.Telemetry;

[Collection(TelemetryCollection.Name)]
public sealed class MetricExportTests
{
    private readonly TelemetryFixture _node;

    public MetricExportTests(TelemetryFixture node)
    {
        _node = node;
        _node.Reset();
    }

    [Fact]
    public async Task Fallback_IsCountedByEdgeByAttemptKindAndAsARequest()
    {
        var before = Flush();
        _node.Upstream.Enqueue("otel-primary-model", FakeBehavior.Status(500));

        await _node.Chat("otel-chain").CompleteChatAsync([new UserChatMessage("Say hello.")]);

        var after = Flush();
        Assert.Equal(1, Delta(before, after, "dispatcher.fallbacks",
            ("dispatcher.fallback.from", "otel-primary"), ("dispatcher.fallback.to", "otel-backup"), ("dispatcher.fallback.reason", "server_error")));
        Assert.Equal(1, Delta(before, after, "dispatcher.attempts",
            ("dispatcher.model", "otel-primary"), ("dispatcher.failure_kind", "server_error"), ("dispatcher.action", "next_candidate")));
        Assert.Equal(1, Delta(before, after, "dispatcher.attempts",
            ("dispatcher.model", "otel-backup"), ("dispatcher.failure_kind", "none"), ("dispatcher.action", "served")));
        Assert.Equal(1, Delta(before, after, "dispatcher.requests",
            ("dispatcher.route", "otel-chain"), ("dispatcher.model", "otel-backup"), ("http.response.status_code", 200L)));
        Assert.Equal(1, Delta(before, after, "dispatcher.request.duration", ("dispatcher.route", "otel-chain"), ("dispatcher.model", "otel-backup")));
        Assert.Equal(1, Delta(before, after, "gen_ai.client.token.usage", ("dispatcher.provider", "otel-b"), ("gen_ai.token.type", "output")));
        Assert.True(Value(after, "dispatcher.cost", ("dispatcher.route", "otel-chain")) > Value(before, "dispatcher.cost", ("dispatcher.route", "otel-chain")));

        // The primary's breaker opened on that failure: the gauge shows it, and the transition was counted.
        Assert.Equal(2, Value(after, "dispatcher.breaker.state", ("dispatcher.provider", "otel-a"), ("dispatcher.deployment", "otel-primary-model")));
        Assert.Equal(0, Value(after, "dispatcher.breaker.state", ("dispatcher.provider", "otel-b"), ("dispatcher.deployment", "otel-backup-model")));
        Assert.Equal(1, Delta(before, after, "dispatcher.breaker.transitions", ("dispatcher.provider", "otel-a"), ("dispatcher.breaker.state", "open")));
        Assert.True(Value(after, "dispatcher.key.remaining_requests", ("dispatcher.provider", "otel-a")) < 1000);
    }

    [Fact]
    public async Task Stream_RecordsTimeToFirstToken()
    {
        var before = Flush();

        using var response = await _node.Http.SendAsync(ChatBodies.Post(ChatBodies.Simple("otel-chain", stream: true)));
        await ChatBodies.ReadEventsAsync(response);

        var after = Flush();
        Assert.Equal(1, Delta(before, after, "gen_ai.server.time_to_first_token", ("dispatcher.route", "otel-chain"), ("dispatcher.model", "otel-primary")));
    }

    [Fact]
    public async Task GrpcProtocol_SpansLeaveOverGrpcToo()
    {
        await using var receiver = await OtlpReceiver.StartAsync();
        var settings = OtlpSettings.From(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["OTEL_EXPORTER_OTLP_ENDPOINT"] = receiver.GrpcEndpoint.ToString(),
            ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "grpc",
        }).Build(), samplingRatio: 1.0);
        using var pipeline = new TelemetryPipeline(settings, "grpc-node");
        await pipeline.StartAsync(CancellationToken.None);

        using var response = await _node.Http.SendAsync(ChatBodies.Post(ChatBodies.Simple("otel-chain")));
        var requestId = ChatBodies.Header(response, "x-dispatcher-request-id");

        Assert.True(pipeline.ForceFlush());
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var spans = await receiver.WaitForAsync(r => r.Spans.Where(span => span.TraceId == requestId).ToArray() is { Length: 2 } found ? found : null, timeout.Token);
        Assert.Contains("/opentelemetry.proto.collector.trace.v1.TraceService/Export", receiver.Paths);
        Assert.Equal("dispatcher", spans[0].ServiceName);
    }

    private IReadOnlyList<OtlpPoint> Flush()
    {
        Assert.True(_node.Pipeline.ForceFlush());
        return _node.Receiver.LatestPoints;
    }

    /// <summary>How much a counter (or a histogram's count) grew between two exports, for the points matching every attribute.</summary>
    private static double Delta(IReadOnlyList<OtlpPoint> before, IReadOnlyList<OtlpPoint> after, string metric, params (string Key, object Value)[] attributes) =>
        Count(after, metric, attributes) - Count(before, metric, attributes);

    private static double Count(IReadOnlyList<OtlpPoint> points, string metric, (string Key, object Value)[] attributes) =>
        Matching(points, metric, attributes).Sum(point => point.Type == "histogram" ? point.Count : point.Value);

    private static double Value(IReadOnlyList<OtlpPoint> points, string metric, params (string Key, object Value)[] attributes) =>
        Matching(points, metric, attributes).Sum(point => point.Value);

    private static IEnumerable<OtlpPoint> Matching(IReadOnlyList<OtlpPoint> points, string metric, (string Key, object Value)[] attributes) =>
        points.Where(point => point.Metric == metric
            && attributes.All(attribute => point.Attributes.TryGetValue(attribute.Key, out var value) && Equals(value, attribute.Value)));
}
