using System.Globalization;
using System.Text;

namespace Dispatcher.FakeUpstream;

/// <summary>
/// How the fake upstream answers one request: a normal answer, an OpenAI error, or a transport fault.
/// Script it with <see cref="FakeUpstreamServer.Enqueue"/> or <see cref="FakeUpstreamServer.SetDefault"/>;
/// tune the timing with <c>with { Latency = ..., ChunkDelay = ... }</c>.
/// </summary>
public sealed partial record FakeBehavior
{
    private FakeBehavior(FakeBehaviorKind kind) => Kind = kind;

    /// <summary>Pause before the response headers; overrides <see cref="FakeUpstreamOptions.Latency"/>.</summary>
    /// <value>Default null: the server's option applies.</value>
    public TimeSpan? Latency { get; init; }

    /// <summary>Pause between streamed events; overrides <see cref="FakeUpstreamOptions.ChunkDelay"/>.</summary>
    /// <value>Default null: the server's option applies.</value>
    public TimeSpan? ChunkDelay { get; init; }

    /// <summary>Before the headers (after <see cref="Latency"/>), wait until this task completes or the client aborts:
    /// a test decides the moment the answer starts (e.g. which of two hedged calls answers first).</summary>
    /// <value>Default null: no wait.</value>
    public Task? HoldUntil { get; init; }

    internal FakeBehaviorKind Kind { get; }

    internal string? Content { get; private init; }

    internal int StatusCode { get; private init; } = 200;

    internal OpenAiError? Error { get; private init; }

    internal byte[]? RawBody { get; private init; }

    internal IReadOnlyDictionary<string, string>? Headers { get; private init; }

    internal int AfterChunks { get; private init; }

    internal string? ToolName { get; private init; }

    internal string? ToolArguments { get; private init; }

    /// <summary>A normal answer whose <c>model</c> is the requested model.</summary>
    /// <param name="content">The assistant text; null means <see cref="FakeUpstreamOptions.Content"/>.</param>
    public static FakeBehavior Ok(string? content = null) => new(FakeBehaviorKind.Ok) { Content = content };

    /// <summary>Any status. Without <paramref name="body"/>, an error status gets OpenAI's error body for it
    /// (500 server_error, 502 Bad gateway, 503 "The server is overloaded or not ready yet.", 504 Gateway timeout,
    /// 4xx as the named factories) and a status below 400 gets an empty body.</summary>
    /// <param name="status">200 to 599.</param>
    /// <param name="body">The raw body, sent as application/json unless <paramref name="headers"/> says otherwise.</param>
    /// <param name="headers">Extra response headers; they win over the server's own.</param>
    public static FakeBehavior Status(int status, string? body = null, IReadOnlyDictionary<string, string>? headers = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(status, 200);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(status, 599);
        return new(FakeBehaviorKind.Error)
        {
            StatusCode = status,
            Error = body is null ? OpenAiErrors.ForStatus(status) : null,
            RawBody = body is null ? (status < 400 ? [] : null) : Encoding.UTF8.GetBytes(body),
            Headers = headers,
        };
    }

    /// <summary>429 with <c>retry-after</c> (whole seconds, rounded up), <c>retry-after-ms</c>, the
    /// <c>x-ratelimit-*</c> headers (remaining requests 0) and a type "requests", code "rate_limit_exceeded" body.</summary>
    public static FakeBehavior RateLimited(TimeSpan retryAfter) =>
        Failure(429, OpenAiErrors.RateLimited(retryAfter)) with { Headers = RateLimitHeaders.For(retryAfter) };

    /// <summary>429 with type and code "insufficient_quota" ("You exceeded your current quota ..."): retrying will not help.</summary>
    public static FakeBehavior InsufficientQuota() => Failure(429, OpenAiErrors.InsufficientQuota);

    /// <summary>400, code "context_length_exceeded", param "messages" ("This model's maximum context length is 128000 tokens ...").</summary>
    public static FakeBehavior ContextLengthExceeded() => Failure(400, OpenAiErrors.ContextLengthExceeded);

    /// <summary>400, code "content_filter", as Azure OpenAI rejects a prompt ("The response was filtered ...").</summary>
    public static FakeBehavior ContentFilter() => Failure(400, OpenAiErrors.ContentFilter);

    /// <summary>400, type "invalid_request_error", code null ("Invalid value for 'temperature' ...").</summary>
    public static FakeBehavior InvalidRequest() => Failure(400, OpenAiErrors.InvalidRequest);

    /// <summary>401, code "invalid_api_key" ("Incorrect API key provided: sk-abc***...").</summary>
    public static FakeBehavior Unauthorized() => Failure(401, OpenAiErrors.Unauthorized);

    /// <summary>403, type "request_forbidden", code "unsupported_country_region_territory".</summary>
    public static FakeBehavior Forbidden() => Failure(403, OpenAiErrors.Forbidden);

    /// <summary>404, code "model_not_found" ("The model `x` does not exist or you do not have access to it.").</summary>
    public static FakeBehavior ModelNotFound() => Failure(404, OpenAiErrors.ModelNotFound);

    /// <summary>Waits <paramref name="delay"/> (until the client aborts) before the headers, then answers normally.
    /// The same as <c>Ok() with { Latency = delay }</c>.</summary>
    public static FakeBehavior DelayFirstByte(TimeSpan delay) => Ok() with { Latency = delay };

    /// <summary>Streaming: sends the role chunk and <paramref name="afterChunks"/> content chunks, then nothing until the
    /// client aborts. Non-streaming: sends the headers (with the full Content-Length) and half the body, then stalls.</summary>
    public static FakeBehavior StallMidStream(int afterChunks) => Faulted(FakeBehaviorKind.Stall, afterChunks);

    /// <summary>Streaming: sends the role chunk and <paramref name="afterChunks"/> content chunks, then aborts the
    /// connection. Non-streaming: sends half the body, then aborts.</summary>
    public static FakeBehavior CutConnection(int afterChunks) => Faulted(FakeBehaviorKind.Cut, afterChunks);

    /// <summary>200 application/json with a truncated JSON body (complete at the HTTP level); a stream gets one
    /// <c>data: {not json</c> event and ends without <c>[DONE]</c>.</summary>
    public static FakeBehavior MalformedJson() => new(FakeBehaviorKind.MalformedJson);

    /// <summary>Streaming: after the role chunk and <paramref name="afterChunks"/> content chunks, sends
    /// <c>data: {"error":{...,"type":"server_error","code":"server_error"}}</c> and ends normally without <c>[DONE]</c>.
    /// Non-streaming: 200 with that error object as the body.</summary>
    public static FakeBehavior InBandError(int afterChunks) => Faulted(FakeBehaviorKind.InBandError, afterChunks);

    /// <summary>200 with content-type text/html and an HTML page, as a proxy in front of the API might send.</summary>
    public static FakeBehavior WrongContentType() => new(FakeBehaviorKind.WrongContentType);

    /// <summary>200 answer with empty content and finish_reason "content_filter".</summary>
    public static FakeBehavior ContentFilterFinish() => new(FakeBehaviorKind.ContentFilterFinish);

    /// <summary>An answer calling the function <paramref name="name"/>: non-streaming <c>message.tool_calls</c>;
    /// streaming, the arguments split over the tool_calls deltas; finish_reason "tool_calls".</summary>
    /// <param name="name">The function name.</param>
    /// <param name="argumentsJson">The arguments as the JSON text OpenAI puts in a string.</param>
    public static FakeBehavior ToolCall(string name, string argumentsJson)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(argumentsJson);
        return new(FakeBehaviorKind.ToolCall) { ToolName = name, ToolArguments = argumentsJson };
    }

    /// <summary>Streaming: the role chunk and <paramref name="afterChunks"/> tool-call argument deltas of a call to
    /// <paramref name="name"/>, then the connection is aborted (a tool call cut halfway).</summary>
    public static FakeBehavior CutToolCall(string name, string argumentsJson, int afterChunks)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(afterChunks);
        var call = ToolCall(name, argumentsJson);
        return new(FakeBehaviorKind.Cut) { ToolName = call.ToolName, ToolArguments = call.ToolArguments, AfterChunks = afterChunks };
    }

    private bool PrintMembers(StringBuilder builder)
    {
        builder.Append(CultureInfo.InvariantCulture, $"Kind = {Kind}, Status = {StatusCode}, AfterChunks = {AfterChunks}");
        builder.Append(CultureInfo.InvariantCulture, $", Latency = {Latency}, ChunkDelay = {ChunkDelay}");
        return true;
    }

    private static FakeBehavior Failure(int status, OpenAiError error) =>
        new(FakeBehaviorKind.Error) { StatusCode = status, Error = error };

    private static FakeBehavior Faulted(FakeBehaviorKind kind, int afterChunks)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(afterChunks);
        return new(kind) { AfterChunks = afterChunks };
    }
}
