using System.Globalization;

namespace Dispatcher.FakeUpstream;

/// <summary>The error bodies OpenAI (and Azure OpenAI, Cloudflare in front of OpenAI) send, worded as they word them.</summary>
internal static class OpenAiErrors
{
    private const string InvalidRequestType = "invalid_request_error";
    private const string ServerErrorType = "server_error";
    private const string ServerErrorMessage = "The server had an error while processing your request. Sorry about that!";

    public static readonly OpenAiError InvalidJson = new(
        "We could not parse the JSON body of your request. (HINT: This likely means you aren't using your HTTP library "
        + "correctly. The OpenAI API expects a JSON payload, but what was sent was not valid JSON. If you have trouble "
        + "figuring out how to fix this, please contact us through our help center at help.openai.com.)",
        InvalidRequestType, null, null);

    public static readonly OpenAiError MissingModel = new("you must provide a model parameter", InvalidRequestType, null, null);

    public static readonly OpenAiError InsufficientQuota = new(
        "You exceeded your current quota, please check your plan and billing details. For more information on this "
        + "error, read the docs: https://platform.openai.com/docs/guides/error-codes/api-errors.",
        "insufficient_quota", null, "insufficient_quota");

    public static readonly OpenAiError ContextLengthExceeded = new(
        "This model's maximum context length is 128000 tokens. However, your messages resulted in 130412 tokens. "
        + "Please reduce the length of the messages.",
        InvalidRequestType, "messages", "context_length_exceeded");

    public static readonly OpenAiError ContentFilter = new(
        "The response was filtered due to the prompt triggering Azure OpenAI's content management policy. Please "
        + "modify your prompt and retry. To learn more about our content filtering policies please read our "
        + "documentation: https://go.microsoft.com/fwlink/?linkid=2198766",
        InvalidRequestType, "prompt", "content_filter");

    public static readonly OpenAiError InvalidRequest = new(
        "Invalid value for 'temperature': expected a number between 0 and 2, but got 3.5 instead.",
        InvalidRequestType, "temperature", null);

    public static readonly OpenAiError Unauthorized = new(
        "Incorrect API key provided: sk-abc***************************wxyz. You can find your API key at "
        + "https://platform.openai.com/account/api-keys.",
        InvalidRequestType, null, "invalid_api_key");

    public static readonly OpenAiError Forbidden = new(
        "Country, region, or territory not supported", "request_forbidden", null, "unsupported_country_region_territory");

    public static readonly OpenAiError ModelNotFound = new(
        $"The model `{OpenAiError.ModelToken}` does not exist or you do not have access to it.",
        InvalidRequestType, null, "model_not_found");

    public static readonly OpenAiError ServerError = new(ServerErrorMessage, ServerErrorType, null, null);

    /// <summary>What OpenAI sends inside a 200 stream when generation fails half-way.</summary>
    public static readonly OpenAiError InBand = new(ServerErrorMessage, ServerErrorType, null, "server_error");

    public static readonly OpenAiError Overloaded = new("The server is overloaded or not ready yet.", ServerErrorType, null, null);

    public static readonly OpenAiError BadGateway = new("Bad gateway.", "cf_bad_gateway", null, 502);

    public static readonly OpenAiError GatewayTimeout = new("Gateway timeout.", "cf_gateway_timeout", null, 504);

    public static OpenAiError RateLimited(TimeSpan retryAfter) => new(
        $"Rate limit reached for {OpenAiError.ModelToken} in organization org-fake on requests per min (RPM): "
        + $"Limit 500, Used 500, Requested 1. Please try again in {RateLimitHeaders.FormatDuration(retryAfter)}. "
        + "Visit https://platform.openai.com/account/rate-limits to learn more.",
        "requests", null, "rate_limit_exceeded");

    public static OpenAiError InvalidUrl(string method, string path) =>
        new($"Invalid URL ({method} {path})", InvalidRequestType, null, null);

    /// <summary>The body OpenAI sends with <paramref name="status"/>; null for statuses that carry no error.</summary>
    public static OpenAiError? ForStatus(int status) => status switch
    {
        < 400 => null,
        400 => InvalidRequest,
        401 => Unauthorized,
        403 => Forbidden,
        404 => ModelNotFound,
        429 => RateLimited(TimeSpan.FromSeconds(1)),
        500 => ServerError,
        502 => BadGateway,
        503 => Overloaded,
        504 => GatewayTimeout,
        < 500 => new(
            string.Create(CultureInfo.InvariantCulture, $"The request failed with status {status}."),
            InvalidRequestType, null, null),
        _ => ServerError,
    };
}
