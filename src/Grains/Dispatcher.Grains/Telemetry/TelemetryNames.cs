namespace Dispatcher.Grains.Telemetry;

/// <summary>
/// Attribute, event and instrument names: OpenTelemetry's GenAI semantic conventions where one exists, <c>dispatcher.*</c>
/// for the gateway's own decisions. Values are model, provider and key ids, failure kinds and numbers: never prompt or
/// completion text, never a credential.
/// </summary>
public static class TelemetryNames
{
    /// <summary>Always <c>chat</c>: the only operation the gateway serves.</summary>
    public const string OperationName = "gen_ai.operation.name";

    /// <summary>The wire format's well-known system: <c>openai</c>, <c>anthropic</c>, <c>gcp.gemini</c>, <c>azure.ai.openai</c>.</summary>
    public const string ProviderName = "gen_ai.provider.name";

    /// <summary>Request span: the route or alias the client named; attempt span: the upstream model sent.</summary>
    public const string RequestModel = "gen_ai.request.model";

    /// <summary>The model the upstream said served.</summary>
    public const string ResponseModel = "gen_ai.response.model";

    /// <summary>Input tokens of the answer that served.</summary>
    public const string InputTokens = "gen_ai.usage.input_tokens";

    /// <summary>Output tokens of the answer that served.</summary>
    public const string OutputTokens = "gen_ai.usage.output_tokens";

    /// <summary>The failure kind (SPEC.md's words) of a failed attempt or request.</summary>
    public const string ErrorType = "error.type";

    /// <summary>The <c>x-dispatcher-request-id</c> of the request.</summary>
    public const string RequestId = "dispatcher.request.id";

    /// <summary>The configured provider name (<c>Dispatcher:Providers:&lt;name&gt;</c>).</summary>
    public const string Provider = "dispatcher.provider";

    /// <summary>The model alias.</summary>
    public const string Model = "dispatcher.model";

    /// <summary>The route the request resolved to.</summary>
    public const string Route = "dispatcher.route";

    /// <summary>How an attempt ended: a failure kind, or <c>none</c> when it served.</summary>
    public const string FailureKind = "dispatcher.failure_kind";

    /// <summary>What the policy did after the attempt: served, retry_same, rotate_key, next_candidate, fail_fast.</summary>
    public const string Action = "dispatcher.action";

    /// <summary>The attempt's position in the trail, from 0.</summary>
    public const string AttemptIndex = "dispatcher.attempt.index";

    /// <summary>True when the candidate was skipped without an upstream call.</summary>
    public const string Skipped = "dispatcher.attempt.skipped";

    /// <summary>The key used, as <c>key-&lt;8 hex&gt;</c>.</summary>
    public const string KeyId = "dispatcher.key.id";

    /// <summary>The cost in USD (of the attempt, or of the request across attempts).</summary>
    public const string CostUsd = "dispatcher.cost_usd";

    /// <summary>How many attempts the request took.</summary>
    public const string Attempts = "dispatcher.attempts";

    /// <summary>The request's outcome: <c>completed</c> or the failure kind that ended it.</summary>
    public const string Outcome = "dispatcher.outcome";

    /// <summary>The upstream's HTTP status (attempt) or the client's (request).</summary>
    public const string HttpStatus = "http.response.status_code";

    /// <summary>Event: the chain moved from one model to the next.</summary>
    public const string FallbackEvent = "dispatcher.fallback";

    /// <summary>Event: a deployment's circuit breaker changed state.</summary>
    public const string BreakerEvent = "dispatcher.breaker";

    /// <summary>Prefix of the request span's events for the trail's notes: <c>dispatcher.repin</c>, <c>dispatcher.continuation</c>, <c>dispatcher.hedge</c>.</summary>
    public const string NoteEventPrefix = "dispatcher.";

    /// <summary>A trail note's text (aliases, kinds and counts only).</summary>
    public const string NoteDetail = "dispatcher.detail";

    /// <summary>Event attribute: the alias that failed.</summary>
    public const string FallbackFrom = "dispatcher.fallback.from";

    /// <summary>Event attribute: the alias tried next.</summary>
    public const string FallbackTo = "dispatcher.fallback.to";

    /// <summary>Event attribute: the failure kind that moved the chain on.</summary>
    public const string FallbackReason = "dispatcher.fallback.reason";

    /// <summary>Breaker event attribute: the upstream model of the deployment.</summary>
    public const string Deployment = "dispatcher.deployment";

    /// <summary>Breaker event attribute: the new state (closed, open, half_open).</summary>
    public const string BreakerState = "dispatcher.breaker.state";

    /// <summary>Token usage metric attribute: <c>input</c> or <c>output</c>.</summary>
    public const string TokenType = "gen_ai.token.type";
}
