using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Dispatcher.Providers;
using Dispatcher.Providers.OpenAi;
using Xunit;

namespace Dispatcher.Grains.Tests.OpenAi;

public sealed class OpenAiErrorsTests
{
    private const string FakeKey = "sk-abc123";

    public static TheoryData<int, string, FailureKind> RealisticBodies => new()
    {
        // OpenAI
        { 429, """{"error":{"message":"Rate limit reached for gpt-4o in organization org-x on requests per min (RPM): Limit 500, Used 500, Requested 1. Key sk-abc123. Please try again in 120ms.","type":"requests","param":null,"code":"rate_limit_exceeded"}}""", FailureKind.RateLimited },
        { 429, """{"error":{"message":"You exceeded your current quota, please check your plan and billing details (sk-abc123).","type":"insufficient_quota","param":null,"code":"insufficient_quota"}}""", FailureKind.QuotaExhausted },
        { 429, """{"error":{"message":"Billing problem for sk-abc123.","type":"insufficient_quota","param":null,"code":null}}""", FailureKind.QuotaExhausted },
        { 429, """{"error":{"message":"Quota gone for sk-abc123.","type":"requests","param":null,"code":"insufficient_quota"}}""", FailureKind.QuotaExhausted },
        { 400, """{"error":{"message":"This model's maximum context length is 128000 tokens. However, your messages resulted in 130000 tokens. sk-abc123","type":"invalid_request_error","param":"messages","code":"context_length_exceeded"}}""", FailureKind.ContextOverflow },
        { 400, """{"error":{"message":"Your request was rejected as a result of our safety system. sk-abc123","type":"invalid_request_error","param":null,"code":"content_policy_violation"}}""", FailureKind.ContentFiltered },
        { 400, """{"error":{"message":"Invalid value for 'temperature': sk-abc123 is not a number.","type":"invalid_request_error","param":"temperature","code":"invalid_value"}}""", FailureKind.InvalidRequest },
        { 401, """{"error":{"message":"Incorrect API key provided: sk-abc123. You can find your API key at https://platform.openai.com/account/api-keys.","type":"invalid_request_error","param":null,"code":"invalid_api_key"}}""", FailureKind.AuthFailed },
        { 403, """{"error":{"message":"Project does not have access to model gpt-4o (sk-abc123).","type":"invalid_request_error","param":null,"code":"model_not_found"}}""", FailureKind.ModelNotFound },
        { 403, """{"error":{"message":"Country, region, or territory not supported. sk-abc123","type":"request_forbidden","param":null,"code":"unsupported_country_region_territory"}}""", FailureKind.AuthFailed },
        { 404, """{"error":{"message":"The model `gpt-5-turbo` does not exist or you do not have access to it. sk-abc123","type":"invalid_request_error","param":null,"code":"model_not_found"}}""", FailureKind.ModelNotFound },
        { 500, """{"error":{"message":"The server had an error while processing your request. Sorry about that! sk-abc123","type":"server_error","param":null,"code":null}}""", FailureKind.ServerError },
        { 503, """{"error":{"message":"The engine is currently overloaded, please try again later. sk-abc123","type":"server_error","param":null,"code":null}}""", FailureKind.ServerError },

        // Azure OpenAI
        { 400, """{"error":{"message":"The response was filtered due to the prompt triggering Azure OpenAI's content management policy. sk-abc123","type":null,"param":"prompt","code":"content_filter","status":400,"innererror":{"code":"ResponsibleAIPolicyViolation","content_filter_result":{"hate":{"filtered":true,"severity":"high"}}}}}""", FailureKind.ContentFiltered },
        { 400, """{"error":{"message":"The prompt triggered Azure OpenAI's content management policy. sk-abc123","type":null,"param":null,"code":null}}""", FailureKind.ContentFiltered },
        { 408, """{"error":{"code":"Timeout","message":"The operation was timeout. sk-abc123"}}""", FailureKind.Timeout },

        // vLLM (old top-level shape and newer error object), Mistral, DeepSeek, Groq, Together, Anthropic-compatible
        { 400, """{"object":"error","message":"This model's maximum context length is 4096 tokens. However, you requested 5000 tokens (4000 in the messages, 1000 in the completion). sk-abc123","type":"BadRequestError","param":null,"code":400}""", FailureKind.ContextOverflow },
        { 400, """{"error":{"message":"This model's maximum context length is 32768 tokens. However, you requested 40000 tokens. sk-abc123","type":"BadRequestError","param":null,"code":400}}""", FailureKind.ContextOverflow },
        { 400, """{"object":"error","message":"Prompt contains 40000 tokens and 0 draft tokens, too large for model with 32768 maximum context length. sk-abc123","type":"invalid_request_message_too_long","param":null,"code":"3051"}""", FailureKind.ContextOverflow },
        { 400, """{"error":{"message":"This model's maximum context length is 65536 tokens. However, you requested 70000 tokens (70000 in the messages, 0 in the completion). sk-abc123","type":"invalid_request_error","param":null,"code":"invalid_request_error"}}""", FailureKind.ContextOverflow },
        { 400, """{"error":{"message":"Please reduce the length of the messages or completion. sk-abc123","type":"invalid_request_error","param":"messages","code":"context_length_exceeded"}}""", FailureKind.ContextOverflow },
        { 400, """{"error":{"message":"prompt is too long: 210000 tokens > 200000 maximum sk-abc123","type":"invalid_request_error"}}""", FailureKind.ContextOverflow },
        { 413, """{"error":{"message":"Request too large for model llama-3.3-70b-versatile. sk-abc123","type":"tokens","code":"rate_limit_exceeded"}}""", FailureKind.ContextOverflow },
        { 413, "<html><body>413 Request Entity Too Large</body></html>", FailureKind.ContextOverflow },
        { 422, """{"object":"error","message":"Input should be a valid integer. sk-abc123","type":"invalid_request_error"}""", FailureKind.InvalidRequest },
        { 429, """{"error":{"message":"Rate limit reached for model llama-3.3-70b on tokens per minute (TPM). sk-abc123","type":"tokens","code":"rate_limit_exceeded"}}""", FailureKind.RateLimited },
        { 502, """{"error":{"message":"Upstream provider error sk-abc123","code":502}}""", FailureKind.ServerError },
        { 504, """{"error":{"message":"Gateway timeout sk-abc123","code":504}}""", FailureKind.Timeout },
        { 529, """{"type":"error","error":{"type":"overloaded_error","message":"Overloaded sk-abc123"}}""", FailureKind.ServerError },

        // Bodies that are not an OpenAI error object
        { 502, "<html><head><title>502 Bad Gateway</title></head><body>nginx sk-abc123</body></html>", FailureKind.ServerError },
        { 500, """{"error":{"message":"truncated sk-abc123""", FailureKind.ServerError },
        { 400, "", FailureKind.InvalidRequest },
        { 429, """{"error":"Too many requests for sk-abc123"}""", FailureKind.RateLimited },
        { 503, """{"error":"Model is currently loading sk-abc123"}""", FailureKind.ServerError },
        { 400, """{"error":"This model's maximum context length is 8192 tokens sk-abc123"}""", FailureKind.ContextOverflow },
        { 404, """{"detail":"Not Found sk-abc123"}""", FailureKind.ModelNotFound },
        { 400, """{"detail":"Input is longer than the model's context window (sk-abc123)."}""", FailureKind.ContextOverflow },
        { 401, """{"detail":"Invalid bearer token sk-abc123"}""", FailureKind.AuthFailed },
        { 500, """[{"error":"sk-abc123"}]""", FailureKind.ServerError },
    };

    [Theory]
    [MemberData(nameof(RealisticBodies))]
    public void Classify_RealisticBody_DecidesKindWithoutCopyingUpstreamText(int status, string body, FailureKind expected)
    {
        using var response = new HttpResponseMessage((HttpStatusCode)status);

        var failure = OpenAiErrors.Classify(status, response.Headers, Encoding.UTF8.GetBytes(body));

        Assert.Equal(expected, failure.Kind);
        Assert.Equal(status, failure.StatusCode);
        Assert.DoesNotContain(FakeKey, failure.Detail, StringComparison.Ordinal);
        Assert.False(string.IsNullOrWhiteSpace(failure.Detail));
    }

    [Theory]
    [InlineData(429, null, null, null, FailureKind.RateLimited)]
    [InlineData(429, "insufficient_quota", null, null, FailureKind.QuotaExhausted)]
    [InlineData(429, null, "insufficient_quota", null, FailureKind.QuotaExhausted)]
    [InlineData(429, null, null, "You exceeded your current quota", FailureKind.QuotaExhausted)]
    [InlineData(400, "context_length_exceeded", null, null, FailureKind.ContextOverflow)]
    [InlineData(400, "string_above_max_length", null, null, FailureKind.ContextOverflow)]
    [InlineData(400, null, null, "too many tokens in the prompt", FailureKind.ContextOverflow)]
    [InlineData(400, "content_filter", null, null, FailureKind.ContentFiltered)]
    [InlineData(400, "CONTENT_POLICY_VIOLATION", null, null, FailureKind.ContentFiltered)]
    [InlineData(400, null, "invalid_request_error", "Invalid 'messages'", FailureKind.InvalidRequest)]
    [InlineData(401, null, null, null, FailureKind.AuthFailed)]
    [InlineData(403, null, null, null, FailureKind.AuthFailed)]
    [InlineData(404, null, null, null, FailureKind.ModelNotFound)]
    [InlineData(400, "model_not_found", null, null, FailureKind.ModelNotFound)]
    [InlineData(408, null, null, null, FailureKind.Timeout)]
    [InlineData(504, null, null, null, FailureKind.Timeout)]
    [InlineData(413, null, null, null, FailureKind.ContextOverflow)]
    [InlineData(500, null, null, null, FailureKind.ServerError)]
    [InlineData(502, null, null, null, FailureKind.ServerError)]
    [InlineData(503, null, null, null, FailureKind.ServerError)]
    [InlineData(529, null, null, null, FailureKind.ServerError)]
    [InlineData(0, null, "rate_limit_error", null, FailureKind.RateLimited)]
    [InlineData(0, "rate_limit_exceeded", null, null, FailureKind.RateLimited)]
    [InlineData(0, null, "server_error", null, FailureKind.ServerError)]
    public void Decide_StatusAndFields_ReturnsKind(int status, string? code, string? type, string? message, FailureKind expected)
    {
        Assert.Equal(expected, OpenAiErrors.Decide(status, code, type, message));
    }

    [Fact]
    public void Classify_RateLimitedWithRetryAfterMs_PrefersMilliseconds()
    {
        using var response = new HttpResponseMessage(HttpStatusCode.TooManyRequests);
        response.Headers.TryAddWithoutValidation("retry-after-ms", "1500");
        response.Headers.RetryAfter = new RetryConditionHeaderValue(TimeSpan.FromSeconds(7));

        var failure = Classify(response, """{"error":{"code":"rate_limit_exceeded"}}""");

        Assert.Equal(FailureKind.RateLimited, failure.Kind);
        Assert.Equal(TimeSpan.FromMilliseconds(1500), failure.RetryAfter);
    }

    [Fact]
    public void Classify_RateLimitedWithRetryAfterSeconds_ReturnsDelta()
    {
        using var response = new HttpResponseMessage(HttpStatusCode.TooManyRequests);
        response.Headers.TryAddWithoutValidation("Retry-After", "7");

        Assert.Equal(TimeSpan.FromSeconds(7), Classify(response, "{}").RetryAfter);
    }

    [Fact]
    public void Classify_ServerErrorWithRetryAfterDate_ReturnsTimeUntilDateFromDateHeader()
    {
        using var response = new HttpResponseMessage(HttpStatusCode.ServiceUnavailable);
        response.Headers.TryAddWithoutValidation("Date", "Wed, 21 Oct 2026 07:28:00 GMT");
        response.Headers.TryAddWithoutValidation("Retry-After", "Wed, 21 Oct 2026 07:28:30 GMT");

        Assert.Equal(TimeSpan.FromSeconds(30), Classify(response, "{}").RetryAfter);
    }

    [Fact]
    public void Classify_RetryAfterDateInThePast_ReturnsZero()
    {
        using var response = new HttpResponseMessage(HttpStatusCode.TooManyRequests);
        response.Headers.TryAddWithoutValidation("Date", "Wed, 21 Oct 2026 07:28:00 GMT");
        response.Headers.TryAddWithoutValidation("Retry-After", "Wed, 21 Oct 2026 07:27:00 GMT");

        Assert.Equal(TimeSpan.Zero, Classify(response, "{}").RetryAfter);
    }

    [Fact]
    public void Classify_RemainingRequestsZero_UsesResetRequests()
    {
        using var response = new HttpResponseMessage(HttpStatusCode.TooManyRequests);
        response.Headers.TryAddWithoutValidation("x-ratelimit-remaining-requests", "0");
        response.Headers.TryAddWithoutValidation("x-ratelimit-reset-requests", "6m0s");
        response.Headers.TryAddWithoutValidation("x-ratelimit-remaining-tokens", "1000");
        response.Headers.TryAddWithoutValidation("x-ratelimit-reset-tokens", "1s");

        Assert.Equal(TimeSpan.FromMinutes(6), Classify(response, "{}").RetryAfter);
    }

    [Fact]
    public void Classify_RemainingRequestsLeft_NoRetryAfterFromReset()
    {
        using var response = new HttpResponseMessage(HttpStatusCode.TooManyRequests);
        response.Headers.TryAddWithoutValidation("x-ratelimit-remaining-requests", "3");
        response.Headers.TryAddWithoutValidation("x-ratelimit-reset-requests", "6m0s");

        Assert.Null(Classify(response, "{}").RetryAfter);
    }

    [Theory]
    [InlineData(400, """{"error":{"code":"context_length_exceeded"}}""")]
    [InlineData(401, "{}")]
    [InlineData(429, """{"error":{"code":"insufficient_quota"}}""")]
    public void Classify_KindThatIsNotRetried_IgnoresRetryAfter(int status, string body)
    {
        using var response = new HttpResponseMessage((HttpStatusCode)status);
        response.Headers.TryAddWithoutValidation("Retry-After", "7");

        Assert.Null(Classify(response, body).RetryAfter);
    }

    [Fact]
    public void Classify_NoHeaders_NoRetryAfter()
    {
        using var response = new HttpResponseMessage(HttpStatusCode.TooManyRequests);

        Assert.Null(Classify(response, "{}").RetryAfter);
    }

    private static UpstreamFailure Classify(HttpResponseMessage response, string body) =>
        OpenAiErrors.Classify((int)response.StatusCode, response.Headers, Encoding.UTF8.GetBytes(body));
}
