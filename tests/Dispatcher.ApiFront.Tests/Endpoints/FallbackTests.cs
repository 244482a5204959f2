using System.Net;
using System.Text.Json;
using Dispatcher.ApiFront.Tests.TestHost;
using Dispatcher.FakeUpstream;

namespace Dispatcher.ApiFront.Tests.Endpoints;

[Collection(DispatcherCollection.Name)]
public sealed class FallbackTests
{
    private readonly DispatcherFixture _node;

    public FallbackTests(DispatcherFixture node)
    {
        _node = node;
        _node.Reset();
    }

    public static TheoryData<string, string, int> FailuresThatFallBack => new()
    {
        { "rate_limited", "primary=rate_limited", 1 },
        { "insufficient_quota", "primary=quota_exhausted", 1 },
        { "context_length_exceeded", "primary=context_overflow", 1 },
        { "unauthorized", "primary=auth_failed", 1 },
        { "model_not_found", "primary=model_not_found", 1 },
        { "malformed_json", "primary=invalid_response", 1 },
        { "wrong_content_type", "primary=invalid_response", 1 },
        { "server_error", "primary=server_error;primary=server_error", 2 },
        { "gateway_timeout", "primary=timeout", 1 },
    };

    [Theory]
    [MemberData(nameof(FailuresThatFallBack))]
    public async Task Complete_PrimaryFails_BackupServesAndHeadersNameTheReason(string fault, string reasons, int primaryCalls)
    {
        for (var i = 0; i < primaryCalls; i++)
        {
            _node.Upstream.Enqueue("primary-model", Behavior(fault));
        }

        using var response = await _node.Http.SendAsync(ChatBodies.Post(ChatBodies.Simple("chain")));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("backup", ChatBodies.Header(response, "x-dispatcher-model"));
        Assert.Equal("beta", ChatBodies.Header(response, "x-dispatcher-provider"));
        Assert.Equal(reasons, ChatBodies.Header(response, "x-dispatcher-fallback-reasons"));
        Assert.Equal((primaryCalls + 1).ToString(System.Globalization.CultureInfo.InvariantCulture), ChatBodies.Header(response, "x-dispatcher-attempts"));
        Assert.Equal(primaryCalls, _node.Upstream.CallCount("primary-model"));
        Assert.Equal(1, _node.Upstream.CallCount("backup-model"));
        Assert.Equal("Bearer " + DispatcherFixture.BetaKey, _node.Upstream.Received[^1].Authorization);
    }

    [Fact]
    public async Task Complete_ConnectionCutOnce_RetriesSameModelAndServes()
    {
        _node.Upstream.Enqueue("primary-model", FakeBehavior.CutConnection(0));

        using var response = await _node.Http.SendAsync(ChatBodies.Post(ChatBodies.Simple("chain")));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("primary", ChatBodies.Header(response, "x-dispatcher-model"));
        Assert.Equal("primary=connection_failed", ChatBodies.Header(response, "x-dispatcher-fallback-reasons"));
        Assert.Equal(2, _node.Upstream.CallCount("primary-model"));
    }

    [Fact]
    public async Task Complete_RateLimitedWithShortRetryAfter_WaitsItOutAndRetriesTheSameModel()
    {
        _node.Upstream.Enqueue("primary-model", FakeBehavior.RateLimited(TimeSpan.FromMilliseconds(400)));

        var pending = _node.Http.SendAsync(ChatBodies.Post(ChatBodies.Simple("chain")));
        using var waiting = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await _node.Clock.WaitForTimerAsync(TimeSpan.FromMilliseconds(400), waiting.Token);
        Assert.Equal(1, _node.Upstream.CallCount("primary-model"));
        _node.Clock.Advance(TimeSpan.FromMilliseconds(400));
        using var response = await pending;

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("primary", ChatBodies.Header(response, "x-dispatcher-model"));
        Assert.Equal("primary=rate_limited", ChatBodies.Header(response, "x-dispatcher-fallback-reasons"));
        Assert.Equal(2, _node.Upstream.CallCount("primary-model"));
        Assert.Equal(0, _node.Upstream.CallCount("backup-model"));
    }

    [Theory]
    [InlineData("content_filter", "content_filtered")]
    [InlineData("invalid_request", "invalid_request")]
    public async Task Complete_RequestRefused_FailsFastWith400AndNoFallback(string fault, string code)
    {
        _node.Upstream.Enqueue("primary-model", Behavior(fault));

        using var response = await _node.Http.SendAsync(ChatBodies.Post(ChatBodies.Simple("chain")));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(code, await ErrorCodeAsync(response));
        Assert.Equal("1", ChatBodies.Header(response, "x-dispatcher-attempts"));
        Assert.Equal(0, _node.Upstream.CallCount("backup-model"));
    }

    [Fact]
    public async Task Complete_ContentFilterOnOptedInRoute_FallsBack()
    {
        _node.Upstream.Enqueue("primary-model", FakeBehavior.ContentFilter());

        using var response = await _node.Http.SendAsync(ChatBodies.Post(ChatBodies.Simple("filtered")));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("backup", ChatBodies.Header(response, "x-dispatcher-model"));
        Assert.Equal("primary=content_filtered", ChatBodies.Header(response, "x-dispatcher-fallback-reasons"));
    }

    [Fact]
    public async Task Complete_ContentFilterFinish_IsTheAnswerUnlessRouteOptsIn()
    {
        _node.Upstream.Enqueue("primary-model", FakeBehavior.ContentFilterFinish());
        using var kept = await _node.Http.SendAsync(ChatBodies.Post(ChatBodies.Simple("chain")));
        _node.Upstream.Enqueue("primary-model", FakeBehavior.ContentFilterFinish());
        using var routed = await _node.Http.SendAsync(ChatBodies.Post(ChatBodies.Simple("filtered")));

        Assert.Equal("primary", ChatBodies.Header(kept, "x-dispatcher-model"));
        Assert.Contains("\"content_filter\"", await kept.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal("backup", ChatBodies.Header(routed, "x-dispatcher-model"));
    }

    [Fact]
    public async Task Complete_StrictMode_TriesOnlyTheFirstCandidate()
    {
        _node.Upstream.Enqueue("primary-model", FakeBehavior.Status(503));
        _node.Upstream.Enqueue("primary-model", FakeBehavior.Status(503));
        using var request = ChatBodies.Post(ChatBodies.Simple("chain"));
        request.Headers.Add("x-dispatcher-fallback", "off");

        using var response = await _node.Http.SendAsync(request);

        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        Assert.Equal("server_error", await ErrorCodeAsync(response));
        Assert.Equal("2", ChatBodies.Header(response, "x-dispatcher-attempts"));
        Assert.Equal(0, _node.Upstream.CallCount("backup-model"));
    }

    [Fact]
    public async Task Complete_AllRateLimited_Returns429WithRetryAfter()
    {
        _node.Upstream.Enqueue("primary-model", FakeBehavior.RateLimited(TimeSpan.FromSeconds(20)));
        _node.Upstream.Enqueue("backup-model", FakeBehavior.RateLimited(TimeSpan.FromSeconds(7)));

        using var response = await _node.Http.SendAsync(ChatBodies.Post(ChatBodies.Simple("chain")));

        Assert.Equal(HttpStatusCode.TooManyRequests, response.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(7), response.Headers.RetryAfter?.Delta);
        Assert.Equal("primary=rate_limited;backup=rate_limited", ChatBodies.Header(response, "x-dispatcher-fallback-reasons"));
        Assert.Equal("rate_limited", await ErrorCodeAsync(response));
    }

    [Fact]
    public async Task Complete_AllFail_502ListsEveryAttemptInOwnWords()
    {
        _node.Upstream.SetDefault("primary-model", FakeBehavior.Status(500));
        _node.Upstream.SetDefault("backup-model", FakeBehavior.Unauthorized());

        using var response = await _node.Http.SendAsync(ChatBodies.Post(ChatBodies.Simple("chain")));
        var body = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        using var error = JsonDocument.Parse(body);
        var message = error.RootElement.GetProperty("error").GetProperty("message").GetString()!;
        Assert.Contains("primary (alpha) server_error", message, StringComparison.Ordinal);
        Assert.Contains("backup (beta) auth_failed", message, StringComparison.Ordinal);
        Assert.Equal("server_error", error.RootElement.GetProperty("error").GetProperty("type").GetString());
        Assert.DoesNotContain("sk-", body, StringComparison.Ordinal);
        Assert.DoesNotContain("Incorrect API key", body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Complete_AllTimeOut_Returns504()
    {
        _node.Upstream.Enqueue("primary-model", FakeBehavior.Status(504));
        _node.Upstream.Enqueue("backup-model", FakeBehavior.Status(504));

        using var response = await _node.Http.SendAsync(ChatBodies.Post(ChatBodies.Simple("chain")));

        Assert.Equal(HttpStatusCode.GatewayTimeout, response.StatusCode);
    }

    [Fact]
    public async Task Complete_KeyRefused_RotatesToNextKeyOfPoolAndParksTheFirst()
    {
        _node.Upstream.Enqueue("pooled-model", FakeBehavior.Unauthorized());

        using var first = await _node.Http.SendAsync(ChatBodies.Post(ChatBodies.Simple("pooled-chain")));
        using var second = await _node.Http.SendAsync(ChatBodies.Post(ChatBodies.Simple("pooled-chain")));

        Assert.Equal("pooled", ChatBodies.Header(first, "x-dispatcher-model"));
        Assert.Equal("pooled=auth_failed", ChatBodies.Header(first, "x-dispatcher-fallback-reasons"));
        var keysUsed = _node.Upstream.Received.Select(r => r.Authorization).ToArray();
        Assert.Equal(3, keysUsed.Length);
        Assert.NotEqual(keysUsed[0], keysUsed[1]);
        Assert.Equal(keysUsed[1], keysUsed[2]);
        using var providers = JsonDocument.Parse(await _node.Http.GetStringAsync("/v1/dispatcher/providers"));
        var pool = providers.RootElement.GetProperty("data").EnumerateArray().Single(p => p.GetProperty("name").GetString() == "pool");
        var parked = pool.GetProperty("keys").EnumerateArray().Single(k => k.GetProperty("parked").GetBoolean());
        Assert.Equal("auth_failed", parked.GetProperty("parked_for").GetString());
        Assert.StartsWith("key-", parked.GetProperty("id").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Complete_BreakerOpens_CandidateSkippedWithoutUpstreamCall()
    {
        _node.Upstream.SetDefault("flaky-model", FakeBehavior.Status(503));

        using var tripping = await _node.Http.SendAsync(ChatBodies.Post(ChatBodies.Simple("flaky-chain")));
        using var skipped = await _node.Http.SendAsync(ChatBodies.Post(ChatBodies.Simple("flaky-chain")));

        Assert.Equal("flaky=server_error;flaky=server_error", ChatBodies.Header(tripping, "x-dispatcher-fallback-reasons"));
        Assert.Equal("flaky=breaker_open", ChatBodies.Header(skipped, "x-dispatcher-fallback-reasons"));
        Assert.Equal("backup", ChatBodies.Header(skipped, "x-dispatcher-model"));
        Assert.Equal(2, _node.Upstream.CallCount("flaky-model"));
        using var providers = JsonDocument.Parse(await _node.Http.GetStringAsync("/v1/dispatcher/providers"));
        var flaky = providers.RootElement.GetProperty("data").EnumerateArray().Single(p => p.GetProperty("name").GetString() == "flaky");
        Assert.Equal("open", flaky.GetProperty("state").GetString());
    }

    internal static FakeBehavior Behavior(string fault) => fault switch
    {
        "rate_limited" => FakeBehavior.RateLimited(TimeSpan.FromSeconds(5)),
        "insufficient_quota" => FakeBehavior.InsufficientQuota(),
        "context_length_exceeded" => FakeBehavior.ContextLengthExceeded(),
        "unauthorized" => FakeBehavior.Unauthorized(),
        "model_not_found" => FakeBehavior.ModelNotFound(),
        "malformed_json" => FakeBehavior.MalformedJson(),
        "wrong_content_type" => FakeBehavior.WrongContentType(),
        "server_error" => FakeBehavior.Status(503),
        "gateway_timeout" => FakeBehavior.Status(504),
        "content_filter" => FakeBehavior.ContentFilter(),
        "invalid_request" => FakeBehavior.InvalidRequest(),
        _ => throw new ArgumentOutOfRangeException(nameof(fault), fault, null),
    };

    internal static async Task<string?> ErrorCodeAsync(HttpResponseMessage response)
    {
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return document.RootElement.GetProperty("error").GetProperty("code").GetString();
    }
}
