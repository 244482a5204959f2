using System.Diagnostics;
using Dispatcher.Grains.Ledger;

namespace Dispatcher.Grains.Telemetry;

/// <summary>
/// The server span of one chat request. Without a client <c>traceparent</c> it is a root, and the request id is its
/// trace id (open the trace in Jaeger by the <c>x-dispatcher-request-id</c>); with one, the span joins the client's
/// trace and the request id, fresh, is the span's <c>dispatcher.request.id</c> attribute.
/// </summary>
public static class RequestSpans
{
    /// <summary>Starts the request's span, current for the rest of the caller's flow; null when nobody listens or it is not sampled.</summary>
    /// <param name="traceParent">The client's W3C <c>traceparent</c> header, if any.</param>
    /// <param name="traceState">The client's <c>tracestate</c> header, if any.</param>
    public static Activity? Start(string? traceParent, string? traceState)
    {
        if (!DispatcherTelemetry.Source.HasListeners())
        {
            return null;
        }

        var parent = default(ActivityContext);
        if (!string.IsNullOrEmpty(traceParent) && ActivityContext.TryParse(traceParent, traceState, isRemote: true, out var remote))
        {
            parent = remote;
        }

        // The web host may have started its own (unexported) activity for this request: the request span must be a
        // root or the client's child, never a child of a span nobody exports.
        var host = Activity.Current;
        Activity.Current = null;
        var span = DispatcherTelemetry.Source.StartActivity("chat", ActivityKind.Server, parent);
        if (span is null)
        {
            // Not sampled: leave the flow as it was, so the client's trace context still reaches the upstreams.
            Activity.Current = host;
            return null;
        }

        span.SetTag(TelemetryNames.OperationName, "chat");
        return span;
    }

    /// <summary>The request id: the span's trace id when the span is a root, else a fresh, time-ordered 32-hex id.</summary>
    public static string RequestId(Activity? span)
    {
        var id = span is not null && span.HasRemoteParent == false && span.ParentSpanId == default
            ? span.TraceId.ToHexString()
            : TimeOrderedTraceIds.Create().ToHexString();
        span?.SetTag(TelemetryNames.RequestId, id);
        return id;
    }

    /// <summary>
    /// Completes the current flow's request span from the request's ledger row: route, outcome, status, attempts,
    /// cost, and the error type of a request that failed. Does nothing when the row is not this span's.
    /// </summary>
    public static void Finish(RequestRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        if (!DispatcherTelemetry.Source.HasListeners()
            || DispatcherTelemetry.RequestSpan(Activity.Current) is not { IsAllDataRequested: true } span
            || !string.Equals(span.GetTagItem(TelemetryNames.RequestId) as string, record.RequestId, StringComparison.Ordinal))
        {
            return;
        }

        span.DisplayName = "chat " + record.Route;
        span.SetTag(TelemetryNames.RequestModel, record.Route);
        span.SetTag(TelemetryNames.Route, record.Route);
        span.SetTag(TelemetryNames.HttpStatus, record.Status);
        span.SetTag(TelemetryNames.Outcome, record.Outcome);
        span.SetTag(TelemetryNames.Attempts, record.Attempts.Count);
        span.SetTag(TelemetryNames.CostUsd, (double)record.CostUsd);
        if (record.ServedModel is not null)
        {
            span.SetTag(TelemetryNames.Model, record.ServedModel);
            span.SetTag(TelemetryNames.Provider, record.Provider);
        }

        if (!string.Equals(record.Outcome, "completed", StringComparison.Ordinal))
        {
            span.SetTag(TelemetryNames.ErrorType, record.Outcome);
            span.SetStatus(ActivityStatusCode.Error, record.Outcome);
        }
    }
}
