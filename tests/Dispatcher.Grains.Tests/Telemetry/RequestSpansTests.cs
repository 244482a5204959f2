using System.Diagnostics;
using Dispatcher.Grains.Dispatch;
using Dispatcher.Grains.Ledger;
using Dispatcher.Grains.Telemetry;
using Dispatcher.Providers;
using Xunit;

namespace Dispatcher.Grains.Tests.Telemetry;

/// <summary>The request span and the attempt spans the trail keeps, seen through a plain <see cref="ActivityListener"/>.</summary>
public sealed class RequestSpansTests
{
    [Fact]
    public void Start_NobodyListens_NoSpanAndAFreshRequestId()
    {
        var span = RequestSpans.Start(null, null);

        Assert.Null(span);
        Assert.Matches("^[0-9a-f]{32}$", RequestSpans.RequestId(span));
    }

    [Fact]
    public void Start_NoClientTrace_RootSpanWhoseTraceIdIsTheRequestId()
    {
        using var listener = new SpanRecorder();

        using var span = RequestSpans.Start(null, null);
        var requestId = RequestSpans.RequestId(span);

        Assert.NotNull(span);
        Assert.Equal(ActivityKind.Server, span.Kind);
        Assert.Equal(default, span.ParentSpanId);
        Assert.Equal(span.TraceId.ToHexString(), requestId);
        Assert.Equal(requestId, span.GetTagItem(TelemetryNames.RequestId));
    }

    [Fact]
    public void Start_ClientTraceparent_JoinsTheClientsTraceWithAFreshRequestId()
    {
        using var listener = new SpanRecorder();
        const string traceId = "4bf92f3577b34da6a3ce929d0e0e4736";

        using var span = RequestSpans.Start($"00-{traceId}-00f067aa0ba902b7-01", "vendor=x");
        var requestId = RequestSpans.RequestId(span);

        Assert.Equal(traceId, span!.TraceId.ToHexString());
        Assert.Equal("00f067aa0ba902b7", span.ParentSpanId.ToHexString());
        Assert.Equal("vendor=x", span.TraceStateString);
        Assert.NotEqual(traceId, requestId);
        Assert.Equal(requestId, span.GetTagItem(TelemetryNames.RequestId));
    }

    [Fact]
    public void TrailNote_Repin_BecomesAnEventOfTheRequestSpan()
    {
        using var listener = new SpanRecorder();
        using var span = RequestSpans.Start(null, null);
        var trail = new DecisionTrail();

        trail.Note("repin", "primary->backup");
        trail.Note("continuation", "primary->backup after 42 characters (stream_cut)");

        Assert.Collection(span!.Events,
            repin =>
            {
                Assert.Equal("dispatcher.repin", repin.Name);
                Assert.Equal("primary->backup", repin.Tags.Single(t => t.Key == TelemetryNames.NoteDetail).Value);
            },
            continuation => Assert.Equal("dispatcher.continuation", continuation.Name));
    }

    [Fact]
    public void Start_NotSampled_LeavesTheHostsActivityCurrent()
    {
        using var dropAll = new ActivityListener
        {
            ShouldListenTo = source => source.Name == DispatcherTelemetry.Name,
            Sample = static (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.None,
        };
        ActivitySource.AddActivityListener(dropAll);
        using var host = new Activity("host request").Start();

        var span = RequestSpans.Start(null, null);

        Assert.Null(span);
        Assert.Same(host, Activity.Current);
    }

    [Fact]
    public void Start_MalformedTraceparent_StartsARoot()
    {
        using var listener = new SpanRecorder();

        using var span = RequestSpans.Start("00-not-a-trace-01", null);

        Assert.Equal(span!.TraceId.ToHexString(), RequestSpans.RequestId(span));
    }

    [Fact]
    public void Trail_EveryAttemptAndSkipIsAChildSpan_AndEachMoveToAnotherModelIsAFallbackEvent()
    {
        using var listener = new SpanRecorder();
        using var request = RequestSpans.Start(null, null)!;
        var requestId = RequestSpans.RequestId(request);
        var trail = new DecisionTrail();

        trail.Add(new AttemptRecord("gpt", "openai", "key-11111111", FailureKind.ServerError, DispatchAction.RetrySame, 500, 12, 0m, "the upstream failed"));
        trail.Add(new AttemptRecord("gpt", "openai", "key-11111111", FailureKind.ServerError, DispatchAction.NextCandidate, 500, 12, 0m, "the upstream failed"));
        trail.Add(new AttemptRecord("claude", "anthropic", null, FailureKind.BreakerOpen, DispatchAction.NextCandidate, 0, 0, 0m, "skipped"));
        trail.Add(new AttemptRecord("llama", "vllm", "key-22222222", FailureKind.None, DispatchAction.Served, 200, 30, 0.0042m, null));
        RequestSpans.Finish(new RequestRecord(requestId, DateTimeOffset.UnixEpoch, "support", false, 200, "completed", "llama", "vllm", 10, 20, 0.0042m, trail.Attempts));

        var attempts = listener.Stopped(request.TraceId).Where(span => span.Kind == ActivityKind.Client).ToArray();
        Assert.Equal([0, 1, 2, 3], attempts.Select(span => (int)span.GetTagItem(TelemetryNames.AttemptIndex)!));
        Assert.All(attempts, span => Assert.Equal(request.SpanId, span.ParentSpanId));
        Assert.Equal(["server_error", "server_error", "breaker_open", null], attempts.Select(span => span.GetTagItem(TelemetryNames.ErrorType)));
        Assert.Equal(true, attempts[2].GetTagItem(TelemetryNames.Skipped));
        Assert.Equal(ActivityStatusCode.Error, attempts[0].Status);
        Assert.Equal("served", attempts[3].GetTagItem(TelemetryNames.Action));

        var fallbacks = request.Events.Where(e => e.Name == TelemetryNames.FallbackEvent).Select(e => e.Tags.ToDictionary(t => t.Key, t => t.Value)).ToArray();
        Assert.Equal(2, fallbacks.Length);
        Assert.Equal(("gpt", "claude", "server_error"), Edge(fallbacks[0]));
        Assert.Equal(("claude", "llama", "breaker_open"), Edge(fallbacks[1]));
        Assert.Equal("chat support", request.DisplayName);
        Assert.Equal("completed", request.GetTagItem(TelemetryNames.Outcome));
        Assert.Equal(4, request.GetTagItem(TelemetryNames.Attempts));
    }

    [Fact]
    public void Finish_FailedRequest_MarksTheSpanWithTheErrorType()
    {
        using var listener = new SpanRecorder();
        using var request = RequestSpans.Start(null, null)!;
        var requestId = RequestSpans.RequestId(request);

        RequestSpans.Finish(new RequestRecord(requestId, DateTimeOffset.UnixEpoch, "support", false, 429, "rate_limited", null, null, 0, 0, 0m, []));

        Assert.Equal("rate_limited", request.GetTagItem(TelemetryNames.ErrorType));
        Assert.Equal(ActivityStatusCode.Error, request.Status);
    }

    [Fact]
    public void Finish_AnotherRequestsRow_LeavesTheSpanAlone()
    {
        using var listener = new SpanRecorder();
        using var request = RequestSpans.Start(null, null)!;
        RequestSpans.RequestId(request);

        RequestSpans.Finish(new RequestRecord("someone-else", DateTimeOffset.UnixEpoch, "support", false, 429, "rate_limited", null, null, 0, 0, 0m, []));

        Assert.Null(request.GetTagItem(TelemetryNames.Outcome));
    }

    private static (object?, object?, object?) Edge(Dictionary<string, object?> tags) =>
        (tags[TelemetryNames.FallbackFrom], tags[TelemetryNames.FallbackTo], tags[TelemetryNames.FallbackReason]);
}
