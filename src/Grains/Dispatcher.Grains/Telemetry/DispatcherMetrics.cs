using System.Diagnostics;
using System.Diagnostics.Metrics;
using Dispatcher.Grains.Dispatch;
using Dispatcher.Grains.Ledger;
using Dispatcher.Providers;

namespace Dispatcher.Grains.Telemetry;

/// <summary>
/// The counters and histograms of the dispatch path, on <see cref="DispatcherTelemetry.Meter"/>. Breaker state and
/// budget left are observable gauges the silo registers over its provider actors. Each method returns at once when
/// its instrument has no listener.
/// </summary>
public static class DispatcherMetrics
{
    private static readonly Counter<long> Requests = DispatcherTelemetry.Meter.CreateCounter<long>(
        "dispatcher.requests", "{request}", "Requests dispatched, by route, serving model, status and outcome.");

    private static readonly Histogram<double> RequestDuration = DispatcherTelemetry.Meter.CreateHistogram<double>(
        "dispatcher.request.duration", "s", "Time from a request's arrival to its ledger row (for streams: the end of the stream).");

    private static readonly Counter<long> Attempts = DispatcherTelemetry.Meter.CreateCounter<long>(
        "dispatcher.attempts", "{attempt}", "Attempts (upstream calls and skips) by provider, model, failure kind and action.");

    private static readonly Counter<long> Fallbacks = DispatcherTelemetry.Meter.CreateCounter<long>(
        "dispatcher.fallbacks", "{fallback}", "Moves along a chain from one model to the next, by edge (from, to) and reason.");

    private static readonly Counter<long> BreakerTransitions = DispatcherTelemetry.Meter.CreateCounter<long>(
        "dispatcher.breaker.transitions", "{transition}", "Circuit breaker state changes by provider, deployment and new state.");

    private static readonly Histogram<long> Tokens = DispatcherTelemetry.Meter.CreateHistogram<long>(
        "gen_ai.client.token.usage", "{token}", "Tokens used by each answer that served, by token type.");

    private static readonly Histogram<double> TimeToFirstToken = DispatcherTelemetry.Meter.CreateHistogram<double>(
        "gen_ai.server.time_to_first_token", "s", "Time from a stream request's arrival to its commit point (first content sent).");

    private static readonly Counter<double> Cost = DispatcherTelemetry.Meter.CreateCounter<double>(
        "dispatcher.cost", "USD", "What requests cost across all their attempts, by route and serving model.");

    /// <summary>Counts a finished request from its ledger row: the request, its duration and its cost.</summary>
    public static void RecordRequest(RequestRecord record, TimeSpan duration)
    {
        ArgumentNullException.ThrowIfNull(record);
        if (!Requests.Enabled && !RequestDuration.Enabled && !Cost.Enabled)
        {
            return;
        }

        var tags = new TagList
        {
            { TelemetryNames.Route, record.Route },
            { TelemetryNames.Model, record.ServedModel ?? "none" },
            { TelemetryNames.HttpStatus, record.Status },
            { TelemetryNames.Outcome, record.Outcome },
        };
        Requests.Add(1, tags);
        RequestDuration.Record(duration.TotalSeconds, tags);
        if (record.CostUsd > 0)
        {
            Cost.Add((double)record.CostUsd, new TagList { { TelemetryNames.Route, record.Route }, { TelemetryNames.Model, record.ServedModel ?? "none" } });
        }
    }

    /// <summary>Counts one attempt of the trail.</summary>
    public static void RecordAttempt(AttemptRecord attempt)
    {
        ArgumentNullException.ThrowIfNull(attempt);
        if (!Attempts.Enabled)
        {
            return;
        }

        Attempts.Add(1, new TagList
        {
            { TelemetryNames.Provider, attempt.Provider },
            { TelemetryNames.Model, attempt.Model },
            { TelemetryNames.FailureKind, attempt.Kind == FailureKind.None ? "none" : attempt.Kind.ToWireName() },
            { TelemetryNames.Action, attempt.Action.ToWireName() },
        });
    }

    /// <summary>Counts one move along a chain.</summary>
    public static void RecordFallback(string from, string to, FailureKind reason)
    {
        if (!Fallbacks.Enabled)
        {
            return;
        }

        Fallbacks.Add(1, new TagList
        {
            { TelemetryNames.FallbackFrom, from },
            { TelemetryNames.FallbackTo, to },
            { TelemetryNames.FallbackReason, reason.ToWireName() },
        });
    }

    /// <summary>Counts one breaker transition.</summary>
    public static void RecordBreakerTransition(string provider, string deployment, string state)
    {
        if (!BreakerTransitions.Enabled)
        {
            return;
        }

        BreakerTransitions.Add(1, new TagList
        {
            { TelemetryNames.Provider, provider },
            { TelemetryNames.Deployment, deployment },
            { TelemetryNames.BreakerState, state },
        });
    }

    /// <summary>Records the tokens of an answer that served (GenAI's <c>gen_ai.client.token.usage</c>).</summary>
    public static void RecordTokens(string providerSystem, string provider, string requestModel, string? responseModel, TokenUsage usage)
    {
        if (!Tokens.Enabled)
        {
            return;
        }

        var tags = new TagList
        {
            { TelemetryNames.OperationName, "chat" },
            { TelemetryNames.ProviderName, providerSystem },
            { TelemetryNames.Provider, provider },
            { TelemetryNames.RequestModel, requestModel },
            { TelemetryNames.TokenType, "input" },
        };
        if (responseModel is not null)
        {
            tags.Add(TelemetryNames.ResponseModel, responseModel);
        }

        Tokens.Record(usage.PromptTokens, tags);
        tags[4] = new KeyValuePair<string, object?>(TelemetryNames.TokenType, "output");
        Tokens.Record(usage.CompletionTokens, tags);
    }

    /// <summary>Records a stream's time to its commit point.</summary>
    public static void RecordTimeToFirstToken(TimeSpan elapsed, string route, string model)
    {
        if (!TimeToFirstToken.Enabled)
        {
            return;
        }

        TimeToFirstToken.Record(elapsed.TotalSeconds, new TagList { { TelemetryNames.Route, route }, { TelemetryNames.Model, model } });
    }
}
