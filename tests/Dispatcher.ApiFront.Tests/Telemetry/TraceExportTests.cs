using System.Diagnostics;
using Dispatcher.ApiFront.Tests.TestHost;
using Dispatcher.FakeUpstream;
using Dispatcher.TestSupport.Otlp;
using OpenAI.Chat;

namespace Dispatcher.ApiFront.Tests.Telemetry;

[Collection(TelemetryCollection.Name)]
public sealed class TraceExportTests
{
    private const string Prompt = "A prompt that must never leave the process in a span.";

    private readonly TelemetryFixture _node;

    public TraceExportTests(TelemetryFixture node)
    {
        _node = node;
        _node.Reset();
    }

    [Fact]
    public async Task Fallback_ExportsOneRequestSpanWithTwoAttemptSpansAndAFallbackEvent()
    {
        _node.Upstream.Enqueue("otel-primary-model", FakeBehavior.Status(500));

        var completion = await _node.Chat("otel-chain").CompleteChatAsync([new UserChatMessage(Prompt)]);

        var headers = completion.GetRawResponse().Headers;
        Assert.True(headers.TryGetValue("x-dispatcher-model", out var model));
        Assert.Equal("otel-backup", model);
        Assert.True(headers.TryGetValue("x-dispatcher-request-id", out var requestId));
        var spans = await ExportedTraceAsync(requestId!, spanCount: 3);

        var request = Assert.Single(spans, span => span.Kind == OtlpSpan.ServerKind);
        Assert.Equal(string.Empty, request.ParentSpanId);
        Assert.Equal("dispatcher-under-test", request.ServiceName);
        Assert.Equal("chat otel-chain", request.Name);
        Assert.Equal(requestId, request["dispatcher.request.id"]);
        Assert.Equal("chat", request["gen_ai.operation.name"]);
        Assert.Equal("otel-chain", request["gen_ai.request.model"]);
        Assert.Equal("otel-backup-model", request["gen_ai.response.model"]);
        Assert.Equal("otel-backup", request["dispatcher.model"]);
        Assert.Equal(2L, request["dispatcher.attempts"]);
        Assert.Equal(200L, request["http.response.status_code"]);
        Assert.True((long)request["gen_ai.usage.input_tokens"]! > 0);
        Assert.True((long)request["gen_ai.usage.output_tokens"]! > 0);
        Assert.True((double)request["dispatcher.cost_usd"]! > 0);
        var fallback = Assert.Single(request.Events, e => e.Name == "dispatcher.fallback");
        Assert.Equal("otel-primary", fallback.Attributes["dispatcher.fallback.from"]);
        Assert.Equal("otel-backup", fallback.Attributes["dispatcher.fallback.to"]);
        Assert.Equal("server_error", fallback.Attributes["dispatcher.fallback.reason"]);

        var attempts = spans.Where(span => span.Kind == OtlpSpan.ClientKind).OrderBy(span => (long)span["dispatcher.attempt.index"]!).ToArray();
        Assert.Equal(2, attempts.Length);
        Assert.All(attempts, attempt => Assert.Equal(request.SpanId, attempt.ParentSpanId));
        Assert.All(attempts, attempt => Assert.Equal("openai", attempt["gen_ai.provider.name"]));

        var failed = attempts[0];
        Assert.Equal("chat otel-primary-model", failed.Name);
        Assert.Equal("otel-primary-model", failed["gen_ai.request.model"]);
        Assert.Equal("otel-a", failed["dispatcher.provider"]);
        Assert.Equal("server_error", failed["error.type"]);
        Assert.Equal("server_error", failed["dispatcher.failure_kind"]);
        Assert.Equal("next_candidate", failed["dispatcher.action"]);
        Assert.Equal(500L, failed["http.response.status_code"]);
        Assert.Equal(OtlpSpan.ErrorStatus, failed.StatusCode);
        var breaker = Assert.Single(failed.Events, e => e.Name == "dispatcher.breaker");
        Assert.Equal("open", breaker.Attributes["dispatcher.breaker.state"]);
        Assert.Equal("otel-primary-model", breaker.Attributes["dispatcher.deployment"]);

        var served = attempts[1];
        Assert.Equal("chat otel-backup-model", served.Name);
        Assert.Equal(1L, served["dispatcher.attempt.index"]);
        Assert.Equal("served", served["dispatcher.action"]);
        Assert.Equal("none", served["dispatcher.failure_kind"]);
        Assert.Null(served["error.type"]);
        Assert.Equal("otel-backup-model", served["gen_ai.response.model"]);
        Assert.Equal(request["gen_ai.usage.output_tokens"], served["gen_ai.usage.output_tokens"]);
        Assert.StartsWith("key-", (string)served["dispatcher.key.id"]!, StringComparison.Ordinal);

        // The upstream joined the trace: each call's traceparent names its own attempt span.
        var calls = _node.Upstream.Received;
        Assert.Equal($"00-{requestId}-{failed.SpanId}-01", calls.Single(call => call.Model == "otel-primary-model").Headers["traceparent"]);
        Assert.Equal($"00-{requestId}-{served.SpanId}-01", calls.Single(call => call.Model == "otel-backup-model").Headers["traceparent"]);

        // Never the prompt, the completion or a credential.
        var exported = string.Join('\n', spans.SelectMany(span => span.Attributes.Values.Concat(span.Events.SelectMany(e => e.Attributes.Values)))
            .Select(value => Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture)));
        Assert.DoesNotContain("sk-", exported, StringComparison.Ordinal);
        Assert.DoesNotContain(Prompt, exported, StringComparison.Ordinal);
        Assert.DoesNotContain(TelemetryFixture.Content, exported, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ClientTraceparent_RequestSpanJoinsTheClientsTraceAndCarriesTheRequestId()
    {
        var traceId = ActivityTraceId.CreateRandom().ToHexString();
        var clientSpan = ActivitySpanId.CreateRandom().ToHexString();
        using var message = ChatBodies.Post(ChatBodies.Simple("otel-chain"));
        message.Headers.Add("traceparent", $"00-{traceId}-{clientSpan}-01");

        using var response = await _node.Http.SendAsync(message);

        var requestId = ChatBodies.Header(response, "x-dispatcher-request-id");
        Assert.NotEqual(traceId, requestId);
        var spans = await ExportedTraceAsync(traceId, spanCount: 2);
        var request = Assert.Single(spans, span => span.Kind == OtlpSpan.ServerKind);
        Assert.Equal(clientSpan, request.ParentSpanId);
        Assert.Equal(requestId, request["dispatcher.request.id"]);
        var attempt = Assert.Single(spans, span => span.Kind == OtlpSpan.ClientKind);
        Assert.Equal(request.SpanId, attempt.ParentSpanId);
        Assert.Equal($"00-{traceId}-{attempt.SpanId}-01", _node.Upstream.Received.Single().Headers["traceparent"]);
    }

    [Fact]
    public async Task Stream_AttemptSpanLastsUntilTheStreamEndsAndCarriesItsUsage()
    {
        using var response = await _node.Http.SendAsync(ChatBodies.Post(ChatBodies.Simple("otel-chain", stream: true)));
        var (events, aborted) = await ChatBodies.ReadEventsAsync(response);
        Assert.False(aborted);
        Assert.Equal("[DONE]", events[^1]);

        var spans = await ExportedTraceAsync(ChatBodies.Header(response, "x-dispatcher-request-id"), spanCount: 2);

        var attempt = Assert.Single(spans, span => span.Kind == OtlpSpan.ClientKind);
        Assert.Equal("served", attempt["dispatcher.action"]);
        Assert.True((long)attempt["gen_ai.usage.output_tokens"]! > 0);
        Assert.Equal("completed", Assert.Single(spans, span => span.Kind == OtlpSpan.ServerKind)["dispatcher.outcome"]);
    }

    private async Task<OtlpSpan[]> ExportedTraceAsync(string traceId, int spanCount)
    {
        Assert.True(_node.Pipeline.ForceFlush());
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        return await _node.Receiver.WaitForAsync(receiver =>
        {
            var spans = receiver.Spans.Where(span => span.TraceId == traceId).ToArray();
            return spans.Length >= spanCount ? spans : null;
        }, timeout.Token);
    }
}
