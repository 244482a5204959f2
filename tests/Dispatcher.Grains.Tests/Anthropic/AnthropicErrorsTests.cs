using System.Net;
using System.Text;
using Dispatcher.Providers;
using Dispatcher.Providers.Anthropic;
using Xunit;

namespace Dispatcher.Grains.Tests.Anthropic;

public sealed class AnthropicErrorsTests
{
    private const string Secret = "sk-ant-api03-secret";
    private static readonly DateTimeOffset Now = new(2025, 6, 1, 12, 0, 0, TimeSpan.Zero);

    public static TheoryData<int, string, FailureKind> AnthropicBodies => new()
    {
        { 400, Body("invalid_request_error", "messages: text content blocks must be non-empty"), FailureKind.InvalidRequest },
        { 400, Body("invalid_request_error", "prompt is too long: 208310 tokens > 200000 maximum"), FailureKind.ContextOverflow },
        { 400, Body("invalid_request_error", "input length and `max_tokens` exceed context limit: 198000 + 8192 > 200000, decrease input length or `max_tokens` and try again"), FailureKind.ContextOverflow },
        { 400, Body("invalid_request_error", "Your credit balance is too low to access the Anthropic API. Please go to Plans & Billing to upgrade or purchase credits."), FailureKind.QuotaExhausted },
        { 400, Body("invalid_request_error", "You have reached your specified API usage limits. You will regain access on 2025-07-01 at 00:00 UTC."), FailureKind.QuotaExhausted },
        { 400, Body("invalid_request_error", "Output blocked by content filtering policy"), FailureKind.ContentFiltered },
        { 401, Body("authentication_error", "invalid x-api-key"), FailureKind.AuthFailed },
        { 402, Body("billing_error", "Billing error"), FailureKind.QuotaExhausted },
        { 403, Body("permission_error", "Your API key does not have permission to use the specified resource."), FailureKind.AuthFailed },
        { 404, Body("not_found_error", "model: claude-3-opus-2099"), FailureKind.ModelNotFound },
        { 413, Body("request_too_large", "Request exceeds the maximum allowed number of bytes."), FailureKind.ContextOverflow },
        { 429, Body("rate_limit_error", "This request would exceed the rate limit for your organization of 50 requests per minute."), FailureKind.RateLimited },
        { 500, Body("api_error", "Internal server error"), FailureKind.ServerError },
        { 502, "<html><body>502 Bad Gateway</body></html>", FailureKind.ServerError },
        { 503, "", FailureKind.ServerError },
        { 504, Body("timeout_error", "Request timed out"), FailureKind.Timeout },
        { 504, "upstream request timeout", FailureKind.Timeout },
        { 529, Body("overloaded_error", "Overloaded"), FailureKind.ServerError },
        { 500, Body("invalid_request_error", "odd"), FailureKind.ServerError },
        { 418, "{\"type\":\"error\",\"error\":{\"type\":\"invalid_request_error\"", FailureKind.InvalidRequest },
        { 429, "not json", FailureKind.RateLimited },
    };

    [Theory]
    [MemberData(nameof(AnthropicBodies))]
    public void Classify_AnthropicError_DecidesKindWithoutCopyingUpstreamText(int status, string body, FailureKind expected)
    {
        using var response = new HttpResponseMessage((HttpStatusCode)status);

        var failure = AnthropicErrors.Classify(status, response.Headers, Encoding.UTF8.GetBytes(body), Now);

        Assert.Equal(expected, failure.Kind);
        Assert.Equal(status, failure.StatusCode);
        Assert.DoesNotContain(Secret, failure.Detail, StringComparison.Ordinal);
        Assert.DoesNotContain("credit", failure.Detail, StringComparison.Ordinal);
        Assert.False(string.IsNullOrWhiteSpace(failure.Detail));
    }

    [Fact]
    public void Classify_Overloaded529_SaysOverloaded()
    {
        using var response = new HttpResponseMessage((HttpStatusCode)529);

        var failure = AnthropicErrors.Classify(529, response.Headers, Encoding.UTF8.GetBytes(Body("overloaded_error", "Overloaded")), Now);

        Assert.Equal("the upstream is overloaded (HTTP 529)", failure.Detail);
    }

    [Fact]
    public void Classify_429WithRetryAfter_UsesIt()
    {
        using var response = new HttpResponseMessage(HttpStatusCode.TooManyRequests);
        response.Headers.TryAddWithoutValidation("retry-after", "7");
        response.Headers.TryAddWithoutValidation("anthropic-ratelimit-requests-remaining", "0");
        response.Headers.TryAddWithoutValidation("anthropic-ratelimit-requests-reset", "2025-06-01T12:00:30Z");

        var failure = AnthropicErrors.Classify(429, response.Headers, Encoding.UTF8.GetBytes(Body("rate_limit_error", "x")), Now);

        Assert.Equal(TimeSpan.FromSeconds(7), failure.RetryAfter);
    }

    [Fact]
    public void Classify_429WithoutRetryAfter_WaitsForTheExhaustedWindowRelativeToTheDateHeader()
    {
        using var response = new HttpResponseMessage(HttpStatusCode.TooManyRequests);
        response.Headers.Date = new DateTimeOffset(2025, 6, 1, 12, 0, 10, TimeSpan.Zero);
        response.Headers.TryAddWithoutValidation("anthropic-ratelimit-requests-remaining", "0");
        response.Headers.TryAddWithoutValidation("anthropic-ratelimit-requests-reset", "2025-06-01T12:00:30Z");
        response.Headers.TryAddWithoutValidation("anthropic-ratelimit-input-tokens-remaining", "0");
        response.Headers.TryAddWithoutValidation("anthropic-ratelimit-input-tokens-reset", "2025-06-01T12:00:45Z");
        response.Headers.TryAddWithoutValidation("anthropic-ratelimit-output-tokens-remaining", "500");
        response.Headers.TryAddWithoutValidation("anthropic-ratelimit-output-tokens-reset", "2025-06-01T12:05:00Z");

        var failure = AnthropicErrors.Classify(429, response.Headers, Encoding.UTF8.GetBytes(Body("rate_limit_error", "x")), Now);

        Assert.Equal(FailureKind.RateLimited, failure.Kind);
        Assert.Equal(TimeSpan.FromSeconds(35), failure.RetryAfter);
    }

    [Fact]
    public void Classify_InvalidRequest_HasNoRetryAfter()
    {
        using var response = new HttpResponseMessage(HttpStatusCode.BadRequest);
        response.Headers.TryAddWithoutValidation("retry-after", "7");

        var failure = AnthropicErrors.Classify(400, response.Headers, Encoding.UTF8.GetBytes(Body("invalid_request_error", "x")), Now);

        Assert.Null(failure.RetryAfter);
    }

    [Fact]
    public void Hint_SuccessHeaders_ReportRemainingRequestsAndTheSmallestTokenCount()
    {
        using var response = new HttpResponseMessage(HttpStatusCode.OK);
        response.Headers.TryAddWithoutValidation("anthropic-ratelimit-requests-remaining", "3999");
        response.Headers.TryAddWithoutValidation("anthropic-ratelimit-requests-reset", "2025-06-01T12:00:01Z");
        response.Headers.TryAddWithoutValidation("anthropic-ratelimit-input-tokens-remaining", "1999000");
        response.Headers.TryAddWithoutValidation("anthropic-ratelimit-output-tokens-remaining", "399000");
        response.Headers.TryAddWithoutValidation("anthropic-ratelimit-tokens-remaining", "2398000");

        var hint = AnthropicRateLimits.Hint(response.Headers, Now);

        Assert.Equal(new RateLimitHint(3999, 399000, null), hint);
        Assert.False(hint.Exhausted);
    }

    [Theory]
    [InlineData("2025-06-01T12:00:20Z", 20.0)]
    [InlineData("2025-06-01T12:00:20.500Z", 20.5)]
    [InlineData("2025-06-01T14:00:20+02:00", 20.0)]
    [InlineData("2025-06-01T11:59:00Z", 0.0)]
    public void Hint_ExhaustedWithoutDateHeader_MeasuresTheResetFromOurClock(string reset, double seconds)
    {
        using var response = new HttpResponseMessage(HttpStatusCode.OK);
        response.Headers.TryAddWithoutValidation("anthropic-ratelimit-tokens-remaining", "0");
        response.Headers.TryAddWithoutValidation("anthropic-ratelimit-tokens-reset", reset);

        var hint = AnthropicRateLimits.Hint(response.Headers, Now);

        Assert.True(hint.Exhausted);
        Assert.Equal(TimeSpan.FromSeconds(seconds), hint.ResetAfter);
    }

    [Theory]
    [InlineData("not a date")]
    [InlineData("2026-06-01T12:00:00Z")]
    public void Hint_NonsenseReset_IsIgnored(string reset)
    {
        using var response = new HttpResponseMessage(HttpStatusCode.OK);
        response.Headers.TryAddWithoutValidation("anthropic-ratelimit-requests-remaining", "0");
        response.Headers.TryAddWithoutValidation("anthropic-ratelimit-requests-reset", reset);

        Assert.Null(AnthropicRateLimits.Hint(response.Headers, Now).ResetAfter);
    }

    [Theory]
    [InlineData("overloaded_error", FailureKind.ServerError)]
    [InlineData("api_error", FailureKind.ServerError)]
    [InlineData("rate_limit_error", FailureKind.RateLimited)]
    [InlineData("timeout_error", FailureKind.Timeout)]
    [InlineData("invalid_request_error", FailureKind.InvalidRequest)]
    [InlineData("authentication_error", FailureKind.AuthFailed)]
    [InlineData("something_new", FailureKind.ServerError)]
    [InlineData(null, FailureKind.ServerError)]
    public void InBand_ErrorType_DecidesKind(string? type, FailureKind expected)
    {
        var failure = AnthropicErrors.InBand(type, "message with " + Secret);

        Assert.Equal(expected, failure.Kind);
        Assert.Equal(0, failure.StatusCode);
        Assert.DoesNotContain(Secret, failure.Detail, StringComparison.Ordinal);
    }

    private static string Body(string type, string message) =>
        "{\"type\":\"error\",\"error\":{\"type\":\"" + type + "\",\"message\":\"" + message.Replace("\"", "\\\"", StringComparison.Ordinal) + " " + Secret + "\"},\"request_id\":\"req_011CSHoEeqs5C35K2UUqR7Fy\"}";
}
