using System.Text;

namespace Dispatcher.FakeUpstream.Anthropic;

/// <summary>
/// Behaviors worded as Anthropic words them, for faults that have no OpenAI counterpart. Every
/// <see cref="FakeBehavior"/> also works on <c>POST /v1/messages</c>, translated: OpenAI's error statuses get Anthropic's
/// bodies (429 rate_limit_error with <c>retry-after</c> and <c>anthropic-ratelimit-*</c>, 529 overloaded_error, 504
/// timeout_error…), ContextLengthExceeded is "prompt is too long", InsufficientQuota is the 400 "credit balance is too
/// low", ContentFilter is "Output blocked by content filtering policy", ContentFilterFinish is stop_reason "refusal",
/// InBandError is an <c>event: error</c> (overloaded_error) in a stream.
/// </summary>
public static class AnthropicFaults
{
    /// <summary>529 overloaded_error "Overloaded".</summary>
    public static FakeBehavior Overloaded() => Failure(529, AnthropicErrorBodies.Overloaded);

    /// <summary>400 invalid_request_error "prompt is too long: 208310 tokens &gt; 200000 maximum".</summary>
    public static FakeBehavior PromptTooLong() => Failure(400, AnthropicErrorBodies.PromptTooLong);

    /// <summary>400 invalid_request_error "Your credit balance is too low to access the Anthropic API…".</summary>
    public static FakeBehavior CreditBalanceTooLow() => Failure(400, AnthropicErrorBodies.CreditBalanceTooLow);

    /// <summary>402 billing_error.</summary>
    public static FakeBehavior BillingError() => Failure(402, AnthropicErrorBodies.Billing);

    /// <summary>413 request_too_large.</summary>
    public static FakeBehavior RequestTooLarge() => Failure(413, AnthropicErrorBodies.RequestTooLarge);

    /// <summary>504 timeout_error.</summary>
    public static FakeBehavior GatewayTimeout() => Failure(504, AnthropicErrorBodies.Timeout);

    /// <summary>429 rate_limit_error with <c>retry-after</c> and the request window spent until <paramref name="retryAfter"/>
    /// from now (the same as <see cref="FakeBehavior.RateLimited"/> on the Anthropic endpoint, with the reset fixed now).</summary>
    public static FakeBehavior RateLimited(TimeSpan retryAfter) =>
        FakeBehavior.Status(429, Body(AnthropicErrorBodies.RateLimited), AnthropicHeaders.RateLimited(retryAfter));

    private static FakeBehavior Failure(int status, AnthropicErrorBody body) => FakeBehavior.Status(status, Body(body));

    private static string Body(AnthropicErrorBody body) => Encoding.UTF8.GetString(body.Render(null, 0));
}
