using System.Net;
using System.Text;
using System.Text.Json;
using Dispatcher.Providers;
using Dispatcher.Providers.Gemini;
using Xunit;

namespace Dispatcher.Grains.Tests.Gemini;

public sealed class GeminiErrorsTests
{
    private const string EchoedKey = "AIzaSyFAKE-key-echo";

    [Theory]
    [InlineData(429, "error-rate-limited.json", FailureKind.RateLimited)]
    [InlineData(429, "error-resource-exhausted-plain.json", FailureKind.RateLimited)]
    [InlineData(429, "error-wrapped-in-array.json", FailureKind.RateLimited)]
    [InlineData(429, "error-daily-quota.json", FailureKind.QuotaExhausted)]
    [InlineData(429, "error-quota-no-details.json", FailureKind.QuotaExhausted)]
    [InlineData(400, "error-api-key-invalid.json", FailureKind.AuthFailed)]
    [InlineData(400, "error-token-limit.json", FailureKind.ContextOverflow)]
    [InlineData(400, "error-invalid-argument.json", FailureKind.InvalidRequest)]
    [InlineData(400, "error-location.json", FailureKind.AuthFailed)]
    [InlineData(403, "error-permission-denied.json", FailureKind.AuthFailed)]
    [InlineData(404, "error-not-found.json", FailureKind.ModelNotFound)]
    [InlineData(500, "error-internal.json", FailureKind.ServerError)]
    [InlineData(503, "error-overloaded.json", FailureKind.ServerError)]
    [InlineData(504, "error-deadline.json", FailureKind.Timeout)]
    public void Classify_RecordedErrorBody_DecidesKindWithoutCopyingUpstreamText(int status, string fixture, FailureKind expected)
    {
        using var response = new HttpResponseMessage((HttpStatusCode)status);

        var failure = GeminiErrors.Classify(status, response.Headers, GeminiFixtures.Bytes(fixture));

        Assert.Equal(expected, failure.Kind);
        Assert.Equal(status, failure.StatusCode);
        Assert.DoesNotContain(EchoedKey, failure.Detail, StringComparison.Ordinal);
        Assert.False(string.IsNullOrWhiteSpace(failure.Detail));
    }

    [Theory]
    [InlineData(401, "", FailureKind.AuthFailed)]
    [InlineData(403, "", FailureKind.AuthFailed)]
    [InlineData(404, "<html><body>Not Found</body></html>", FailureKind.ModelNotFound)]
    [InlineData(400, "", FailureKind.InvalidRequest)]
    [InlineData(400, """{"error":{"code":400,"message":"Request payload size exceeds the limit: 20971520 bytes.","status":"INVALID_ARGUMENT"}}""", FailureKind.ContextOverflow)]
    [InlineData(400, """{"error":{"code":400,"message":"Gemini API free tier is not available in your country. Please enable billing on your project in Google AI Studio.","status":"FAILED_PRECONDITION"}}""", FailureKind.AuthFailed)]
    [InlineData(400, """{"error":{"code":400,"message":"Precondition check failed.","status":"FAILED_PRECONDITION"}}""", FailureKind.InvalidRequest)]
    [InlineData(408, "", FailureKind.Timeout)]
    [InlineData(413, "", FailureKind.ContextOverflow)]
    [InlineData(429, "", FailureKind.RateLimited)]
    [InlineData(502, "<html>502. That's an error.</html>", FailureKind.ServerError)]
    [InlineData(500, """{"error":{"code":500,"message":"trunc""", FailureKind.ServerError)]
    public void Classify_StatusWithoutGoogleBody_FallsBackOnTheStatus(int status, string body, FailureKind expected)
    {
        using var response = new HttpResponseMessage((HttpStatusCode)status);

        Assert.Equal(expected, GeminiErrors.Classify(status, response.Headers, Encoding.UTF8.GetBytes(body)).Kind);
    }

    [Fact]
    public void Classify_RetryInfo_IsTheRetryAfter()
    {
        using var response = new HttpResponseMessage(HttpStatusCode.TooManyRequests);
        response.Headers.TryAddWithoutValidation("Retry-After", "3");

        var failure = GeminiErrors.Classify(429, response.Headers, GeminiFixtures.Bytes("error-rate-limited.json"));

        Assert.Equal(TimeSpan.FromSeconds(26), failure.RetryAfter);
    }

    [Theory]
    [InlineData("1.5s", 1500)]
    [InlineData("0.250s", 250)]
    [InlineData("13.264526s", 13264.526)]
    public void Classify_FractionalRetryDelay_IsRead(string delay, double milliseconds)
    {
        using var response = new HttpResponseMessage(HttpStatusCode.TooManyRequests);
        var body = $$$"""{"error":{"code":429,"message":"Resource has been exhausted (e.g. check quota).","status":"RESOURCE_EXHAUSTED","details":[{"@type":"type.googleapis.com/google.rpc.RetryInfo","retryDelay":"{{{delay}}}"}]}}""";

        var failure = GeminiErrors.Classify(429, response.Headers, Encoding.UTF8.GetBytes(body));

        Assert.Equal(FailureKind.RateLimited, failure.Kind);
        Assert.Equal(milliseconds, failure.RetryAfter!.Value.TotalMilliseconds, precision: 3);
    }

    [Fact]
    public void Classify_NoRetryInfo_FallsBackOnRetryAfterHeader()
    {
        using var response = new HttpResponseMessage(HttpStatusCode.ServiceUnavailable);
        response.Headers.TryAddWithoutValidation("Retry-After", "7");

        var failure = GeminiErrors.Classify(503, response.Headers, GeminiFixtures.Bytes("error-overloaded.json"));

        Assert.Equal(FailureKind.ServerError, failure.Kind);
        Assert.Equal(TimeSpan.FromSeconds(7), failure.RetryAfter);
    }

    [Fact]
    public void Classify_QuotaExhausted_HasNoRetryAfter()
    {
        using var response = new HttpResponseMessage(HttpStatusCode.TooManyRequests);

        var failure = GeminiErrors.Classify(429, response.Headers, GeminiFixtures.Bytes("error-daily-quota.json"));

        Assert.Equal(FailureKind.QuotaExhausted, failure.Kind);
        Assert.Null(failure.RetryAfter);
    }

    [Theory]
    [InlineData("""{"code":503,"message":"The model is overloaded. Please try again later.","status":"UNAVAILABLE"}""", FailureKind.ServerError)]
    [InlineData("""{"code":429,"message":"Resource has been exhausted (e.g. check quota).","status":"RESOURCE_EXHAUSTED"}""", FailureKind.RateLimited)]
    [InlineData("""{"code":400,"message":"The input token count (2000000) exceeds the maximum number of tokens allowed (1048576).","status":"INVALID_ARGUMENT"}""", FailureKind.ContextOverflow)]
    [InlineData("""{"code":500,"message":"An internal error has occurred.","status":"INTERNAL"}""", FailureKind.ServerError)]
    [InlineData("\"Internal error\"", FailureKind.ServerError)]
    public void FromErrorValue_InBandError_ClassifiedByItsCodeAndStatus(string error, FailureKind expected)
    {
        using var document = JsonDocument.Parse(error);

        var failure = GeminiErrors.FromErrorValue(document.RootElement);

        Assert.Equal(expected, failure.Kind);
        Assert.Equal(0, failure.StatusCode);
        Assert.DoesNotContain("overloaded", failure.Detail, StringComparison.OrdinalIgnoreCase);
    }
}
