using System.Net;
using Dispatcher.Providers;
using Xunit;

namespace Dispatcher.Grains.Tests;

public sealed class RateLimitHeadersTests
{
    [Theory]
    [InlineData("1s", 1_000)]
    [InlineData("6m0s", 360_000)]
    [InlineData("20ms", 20)]
    [InlineData("1h2m3.5s", 3_723_500)]
    [InlineData("0.5", 500)]
    [InlineData("7", 7_000)]
    [InlineData("0s", 0)]
    [InlineData("2m", 120_000)]
    [InlineData("1m30.250s", 90_250)]
    public void ParseDuration_OpenAiFormats_ReturnsDuration(string text, double milliseconds)
    {
        Assert.Equal(TimeSpan.FromMilliseconds(milliseconds), RateLimitHeaders.ParseDuration(text));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("garbage")]
    [InlineData("1x")]
    [InlineData("s")]
    [InlineData("ms")]
    [InlineData("-1")]
    [InlineData("1 s")]
    [InlineData("1s2")]
    [InlineData("1.2.3s")]
    [InlineData("NaN")]
    public void ParseDuration_Garbage_ReturnsNull(string? text)
    {
        Assert.Null(RateLimitHeaders.ParseDuration(text));
    }

    [Theory]
    [InlineData("1e20")]
    [InlineData("Infinity")]
    [InlineData("99999999999999h")]
    public void ParseDuration_OutOfRange_ReturnsNull(string text)
    {
        Assert.Null(RateLimitHeaders.ParseDuration(text));
    }

    [Fact]
    public void RetryAfter_RetryAfterMsOutOfRange_Ignored()
    {
        using var response = new HttpResponseMessage(HttpStatusCode.TooManyRequests);
        response.Headers.TryAddWithoutValidation("retry-after-ms", "1e300");

        Assert.Null(RateLimitHeaders.RetryAfter(response.Headers));
    }

    [Fact]
    public void Hint_RemainingAndResets_ReadsExhaustedWindow()
    {
        using var response = new HttpResponseMessage(HttpStatusCode.OK);
        response.Headers.TryAddWithoutValidation("x-ratelimit-limit-requests", "500");
        response.Headers.TryAddWithoutValidation("x-ratelimit-remaining-requests", "0");
        response.Headers.TryAddWithoutValidation("x-ratelimit-reset-requests", "120ms");
        response.Headers.TryAddWithoutValidation("x-ratelimit-remaining-tokens", "149984");
        response.Headers.TryAddWithoutValidation("x-ratelimit-reset-tokens", "6m0s");

        var hint = RateLimitHeaders.Hint(response.Headers);

        Assert.Equal(0, hint.RemainingRequests);
        Assert.Equal(149984, hint.RemainingTokens);
        Assert.Equal(TimeSpan.FromMilliseconds(120), hint.ResetAfter);
        Assert.True(hint.Exhausted);
    }

    [Fact]
    public void Hint_BothWindowsExhausted_TakesLongerReset()
    {
        using var response = new HttpResponseMessage(HttpStatusCode.OK);
        response.Headers.TryAddWithoutValidation("x-ratelimit-remaining-requests", "0");
        response.Headers.TryAddWithoutValidation("x-ratelimit-reset-requests", "1s");
        response.Headers.TryAddWithoutValidation("x-ratelimit-remaining-tokens", "0");
        response.Headers.TryAddWithoutValidation("x-ratelimit-reset-tokens", "17s");

        Assert.Equal(TimeSpan.FromSeconds(17), RateLimitHeaders.Hint(response.Headers).ResetAfter);
    }

    [Fact]
    public void Hint_BudgetLeft_NotExhaustedAndNoReset()
    {
        using var response = new HttpResponseMessage(HttpStatusCode.OK);
        response.Headers.TryAddWithoutValidation("x-ratelimit-remaining-requests", "499");
        response.Headers.TryAddWithoutValidation("x-ratelimit-reset-requests", "120ms");

        var hint = RateLimitHeaders.Hint(response.Headers);

        Assert.False(hint.Exhausted);
        Assert.Null(hint.ResetAfter);
    }

    [Fact]
    public void Hint_NoHeaders_Empty()
    {
        using var response = new HttpResponseMessage(HttpStatusCode.OK);

        Assert.Equal(default, RateLimitHeaders.Hint(response.Headers));
    }
}
