using System.Globalization;

namespace Dispatcher.FakeUpstream.Anthropic;

/// <summary>The error bodies Anthropic sends, worded as Anthropic words them.</summary>
internal static class AnthropicErrorBodies
{
    public static readonly AnthropicErrorBody InvalidRequest = new(
        "invalid_request_error", "temperature: Input should be less than or equal to 1");

    public static readonly AnthropicErrorBody PromptTooLong = new(
        "invalid_request_error", "prompt is too long: 208310 tokens > 200000 maximum");

    public static readonly AnthropicErrorBody CreditBalanceTooLow = new(
        "invalid_request_error",
        "Your credit balance is too low to access the Anthropic API. Please go to Plans & Billing to upgrade or purchase credits.");

    public static readonly AnthropicErrorBody OutputBlocked = new("invalid_request_error", "Output blocked by content filtering policy");

    public static readonly AnthropicErrorBody InvalidJson = new("invalid_request_error", "There was an issue with your request body: invalid JSON.");

    public static readonly AnthropicErrorBody MissingApiKey = new("authentication_error", "x-api-key header is required");

    public static readonly AnthropicErrorBody MissingVersion = new("invalid_request_error", "anthropic-version: header is required");

    public static readonly AnthropicErrorBody Unauthorized = new("authentication_error", "invalid x-api-key");

    public static readonly AnthropicErrorBody Billing = new("billing_error", CreditBalanceTooLow.Message);

    public static readonly AnthropicErrorBody Forbidden = new(
        "permission_error", "Your API key does not have permission to use the specified resource.");

    public static readonly AnthropicErrorBody ModelNotFound = new("not_found_error", "model: " + AnthropicErrorBody.ModelToken);

    public static readonly AnthropicErrorBody RequestTooLarge = new("request_too_large", "Request exceeds the maximum allowed number of bytes.");

    public static readonly AnthropicErrorBody RateLimited = new(
        "rate_limit_error",
        "This request would exceed the rate limit for your organization (00000000-0000-4000-8000-000000000000) of 50 requests "
        + "per minute. For details, refer to: https://docs.claude.com/en/api/rate-limits. You can see the response headers for "
        + "current usage. Please reduce the prompt length or the maximum tokens requested, or try again later. You may also "
        + "contact sales at https://www.anthropic.com/contact-sales to discuss your options for a rate limit increase.");

    public static readonly AnthropicErrorBody ApiError = new("api_error", "Internal server error");

    public static readonly AnthropicErrorBody Timeout = new("timeout_error", "Request timed out");

    /// <summary>What Anthropic sends with 529, and in a stream's <c>error</c> event when it runs out of capacity.</summary>
    public static readonly AnthropicErrorBody Overloaded = new("overloaded_error", "Overloaded");

    public static AnthropicErrorBody InvalidUrl(string method, string path) =>
        new("not_found_error", string.Create(CultureInfo.InvariantCulture, $"Not Found: {method} {path}"));

    /// <summary>The body Anthropic sends with <paramref name="status"/>; null for statuses that carry no error.</summary>
    public static AnthropicErrorBody? ForStatus(int status) => status switch
    {
        < 400 => null,
        400 => InvalidRequest,
        401 => Unauthorized,
        402 => Billing,
        403 => Forbidden,
        404 => ModelNotFound,
        413 => RequestTooLarge,
        429 => RateLimited,
        504 => Timeout,
        529 => Overloaded,
        < 500 => new(
            "invalid_request_error", string.Create(CultureInfo.InvariantCulture, $"The request failed with status {status}.")),
        _ => ApiError,
    };
}
