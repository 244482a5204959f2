using System.Diagnostics;
using Dispatcher.Grains.Routing;
using Dispatcher.Grains.Telemetry;
using Dispatcher.Providers;

namespace Dispatcher.Grains.Dispatch;

/// <summary>
/// The trail is where every attempt passes, so it also keeps the attempt spans and counts attempts and fallbacks:
/// the headers, the ledger, the spans and the metrics then count the same things. An upstream call's span starts at
/// <see cref="BeginAttempt"/> (and is the current activity while the adapter sends, so the upstream receives its
/// <c>traceparent</c>) and ends when the attempt is added; a skip is a span of no duration.
/// </summary>
public sealed partial class DecisionTrail
{
    private Activity? _attemptSpan;
    private int _fallbackNotedAt = -1;

    /// <summary>
    /// Marks the start of an upstream call to <paramref name="candidate"/>: notes a fallback when the chain moved on
    /// from a failed model, and starts the attempt span (current until the attempt is added) when tracing is on.
    /// </summary>
    public void BeginAttempt(ModelDeployment candidate)
    {
        ArgumentNullException.ThrowIfNull(candidate);
        NoteFallback(candidate.Alias);
        if (!DispatcherTelemetry.Source.HasListeners())
        {
            return;
        }

        var span = DispatcherTelemetry.Source.StartActivity("chat " + candidate.Upstream.Name, ActivityKind.Client);
        if (span is null)
        {
            return;
        }

        if (span.IsAllDataRequested)
        {
            span.SetTag(TelemetryNames.OperationName, "chat");
            span.SetTag(TelemetryNames.ProviderName, ProviderSystems.Of(candidate.Provider.Adapter));
            span.SetTag(TelemetryNames.RequestModel, candidate.Upstream.Name);
            span.SetTag(TelemetryNames.Provider, candidate.Provider.Name);
            span.SetTag(TelemetryNames.Model, candidate.Alias);
            span.SetTag(TelemetryNames.AttemptIndex, _attempts.Count);
        }

        _attemptSpan = span;
    }

    /// <summary>
    /// Notes what the serving attempt produced: the model the upstream named and, once known (for a stream: at its
    /// end), its usage, on the attempt and request spans and in <c>gen_ai.client.token.usage</c>.
    /// </summary>
    public void NoteServed(ModelDeployment candidate, string? responseModel, TokenUsage? usage)
    {
        ArgumentNullException.ThrowIfNull(candidate);
        if (usage is { } tokens)
        {
            DispatcherMetrics.RecordTokens(ProviderSystems.Of(candidate.Provider.Adapter), candidate.Provider.Name, candidate.Upstream.Name,
                responseModel, tokens);
        }

        if (_attemptSpan is not { IsAllDataRequested: true } span)
        {
            return;
        }

        var request = DispatcherTelemetry.RequestSpan(span.Parent);
        if (responseModel is not null)
        {
            span.SetTag(TelemetryNames.ResponseModel, responseModel);
            request?.SetTag(TelemetryNames.ResponseModel, responseModel);
        }

        if (usage is { } served)
        {
            span.SetTag(TelemetryNames.InputTokens, served.PromptTokens);
            span.SetTag(TelemetryNames.OutputTokens, served.CompletionTokens);
            request?.SetTag(TelemetryNames.InputTokens, served.PromptTokens);
            request?.SetTag(TelemetryNames.OutputTokens, served.CompletionTokens);
        }
    }

    private void OnAdding(AttemptRecord attempt)
    {
        DispatcherMetrics.RecordAttempt(attempt);
        NoteFallback(attempt.Model);

        var span = _attemptSpan;
        if (span is not null && !attempt.Skipped)
        {
            _attemptSpan = null;
        }
        else if (DispatcherTelemetry.Source.HasListeners())
        {
            span = DispatcherTelemetry.Source.StartActivity("chat " + attempt.Model, ActivityKind.Client);
            if (span is { IsAllDataRequested: true })
            {
                span.SetTag(TelemetryNames.OperationName, "chat");
                span.SetTag(TelemetryNames.Provider, attempt.Provider);
                span.SetTag(TelemetryNames.Model, attempt.Model);
                span.SetTag(TelemetryNames.AttemptIndex, _attempts.Count);
                span.SetTag(TelemetryNames.Skipped, attempt.Skipped);
            }
        }

        if (span is null)
        {
            return;
        }

        if (span.IsAllDataRequested)
        {
            span.SetTag(TelemetryNames.Action, attempt.Action.ToWireName());
            span.SetTag(TelemetryNames.FailureKind, attempt.Kind == FailureKind.None ? "none" : attempt.Kind.ToWireName());
            span.SetTag(TelemetryNames.CostUsd, (double)attempt.CostUsd);
            if (attempt.KeyId is not null)
            {
                span.SetTag(TelemetryNames.KeyId, attempt.KeyId);
            }

            if (attempt.StatusCode != 0)
            {
                span.SetTag(TelemetryNames.HttpStatus, attempt.StatusCode);
            }

            if (attempt.Kind != FailureKind.None)
            {
                span.SetTag(TelemetryNames.ErrorType, attempt.Kind.ToWireName());
                span.SetStatus(ActivityStatusCode.Error, attempt.Detail);
            }
        }

        span.Stop();
    }

    /// <summary>
    /// The chain moves from the last failed model to <paramref name="to"/>: an event and a counted edge, once per
    /// attempt (at its start when <see cref="BeginAttempt"/> was called, else when it is added).
    /// </summary>
    private void NoteFallback(string to)
    {
        if (_fallbackNotedAt == _attempts.Count)
        {
            return;
        }

        _fallbackNotedAt = _attempts.Count;
        if (_attempts.Count == 0 || _attempts[^1] is not { Kind: not FailureKind.None } last
            || string.Equals(last.Model, to, StringComparison.Ordinal))
        {
            return;
        }

        DispatcherMetrics.RecordFallback(last.Model, to, last.Kind);
        DispatcherTelemetry.AddRequestEvent(TelemetryNames.FallbackEvent,
            new(TelemetryNames.FallbackFrom, last.Model),
            new(TelemetryNames.FallbackTo, to),
            new(TelemetryNames.FallbackReason, last.Kind.ToWireName()));
    }
}
