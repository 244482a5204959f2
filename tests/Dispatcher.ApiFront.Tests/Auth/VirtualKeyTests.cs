using System.ClientModel;
using System.Net;
using System.Text.Json;
using Dispatcher.ApiFront.Tests.TestHost;
using Dispatcher.FakeUpstream;
using OpenAI.Chat;

namespace Dispatcher.ApiFront.Tests.Auth;

[Collection(AuthCollection.Name)]
public sealed class VirtualKeyTests
{
    private readonly AuthFixture _node;

    public VirtualKeyTests(AuthFixture node)
    {
        _node = node;
        _node.Reset();
    }

    [Fact]
    public async Task Chat_NoKey_401InvalidApiKey()
    {
        using var response = await _node.Http.SendAsync(ChatBodies.Post(ChatBodies.Simple("chain")));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("invalid_api_key", await CodeAsync(response));
        Assert.Equal(0, _node.Upstream.TotalCalls);
    }

    [Fact]
    public async Task Chat_UnknownKeyThroughSdk_401AndTheKeyIsNotEchoed()
    {
        const string Forged = "dk-forged-0000000000000000000000000000000000000";

        var error = await Assert.ThrowsAsync<ClientResultException>(() => _node.Chat("chain", Forged).CompleteChatAsync([new UserChatMessage("Hi")]));

        Assert.Equal(401, error.Status);
        Assert.DoesNotContain(Forged, error.GetRawResponse()!.Content.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Chat_ValidKey_ServedAndLedgerRecordsTheKeyIdNotTheSecret()
    {
        var (id, secret, _) = await _node.CreateKeyAsync(new { name = "app" });

        var result = await _node.Chat("chain", secret).CompleteChatAsync([new UserChatMessage("Hi")]);

        Assert.Equal("Hello from the fake upstream.", result.Value.Content[0].Text);
        Assert.Equal("Bearer " + AuthFixture.AlphaKey, _node.Upstream.Received[^1].Authorization);
        Assert.DoesNotContain(secret, _node.Upstream.Received[^1].Body, StringComparison.Ordinal);
        result.GetRawResponse().Headers.TryGetValue("x-dispatcher-request-id", out var requestId);
        using var trail = await AdminGetAsync($"/v1/dispatcher/requests/{requestId}");
        Assert.Equal(id, trail.RootElement.GetProperty("virtual_key_id").GetString());
    }

    [Fact]
    public async Task Chat_RouteNotAllowedForKey_403ModelNotAllowed()
    {
        var (_, secret, _) = await _node.CreateKeyAsync(new { name = "cheap-only", routes = new[] { "cheap" } });

        using var denied = await _node.Http.SendAsync(AuthFixture.With(ChatBodies.Post(ChatBodies.Simple("chain")), secret));
        using var aliasDenied = await _node.Http.SendAsync(AuthFixture.With(ChatBodies.Post(ChatBodies.Simple("primary")), secret));
        using var allowed = await _node.Http.SendAsync(AuthFixture.With(ChatBodies.Post(ChatBodies.Simple("cheap")), secret));

        Assert.Equal(HttpStatusCode.Forbidden, denied.StatusCode);
        Assert.Equal("model_not_allowed", await CodeAsync(denied));
        Assert.Equal(HttpStatusCode.Forbidden, aliasDenied.StatusCode);
        Assert.Equal(HttpStatusCode.OK, allowed.StatusCode);
        Assert.Equal(1, _node.Upstream.TotalCalls);
    }

    [Fact]
    public async Task Models_ListsOnlyWhatTheKeyMayName()
    {
        var (_, secret, _) = await _node.CreateKeyAsync(new { name = "listing", routes = new[] { "cheap" }, models = new[] { "backup" } });

        using var response = await _node.Http.SendAsync(AuthFixture.With(new HttpRequestMessage(HttpMethod.Get, "/v1/models"), secret));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var list = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal(["cheap", "backup"], list.RootElement.GetProperty("data").EnumerateArray().Select(m => m.GetProperty("id").GetString()));
    }

    [Fact]
    public async Task Chat_ModelsListNamesAliasNotAllowed_403()
    {
        var (_, secret, _) = await _node.CreateKeyAsync(new { name = "backup-only", models = new[] { "backup" } });
        var body = """{"models":["backup","primary"],"messages":[{"role":"user","content":"Hi"}]}""";

        using var response = await _node.Http.SendAsync(AuthFixture.With(ChatBodies.Post(body), secret));

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        using var error = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Contains("'primary'", error.RootElement.GetProperty("error").GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Chat_KeyRpmSpent_429KeyRateLimitedUntilTheWindowMoves()
    {
        var (_, secret, _) = await _node.CreateKeyAsync(new { name = "slow", rpm = 2 });
        var chat = _node.Chat("chain", secret);
        await chat.CompleteChatAsync([new UserChatMessage("1")]);
        await chat.CompleteChatAsync([new UserChatMessage("2")]);

        using var limited = await _node.Http.SendAsync(AuthFixture.With(ChatBodies.Post(ChatBodies.Simple("chain")), secret));

        Assert.Equal(HttpStatusCode.TooManyRequests, limited.StatusCode);
        Assert.Equal("key_rate_limited", await CodeAsync(limited));
        Assert.Equal(TimeSpan.FromSeconds(60), limited.Headers.RetryAfter?.Delta);
        Assert.Equal(2, _node.Upstream.TotalCalls);

        _node.Clock.Advance(TimeSpan.FromMinutes(1));
        var again = await chat.CompleteChatAsync([new UserChatMessage("3")]);
        Assert.Equal(200, again.GetRawResponse().Status);
    }

    [Fact]
    public async Task Chat_MonthlyBudgetSpent_429KeyBudgetExhaustedThenNoUpstreamCall()
    {
        // Pre-priced at about 0.0006 USD the request fits the 0.001 budget, but its long answer (0.6 USD/MTok out) costs
        // about 0.006 USD: the budget is spent, and the next request stops before any upstream call.
        _node.Upstream.Enqueue("backup-model", FakeBehavior.Ok(string.Join(' ', Enumerable.Repeat("word", 10_000))));
        var (id, secret, _) = await _node.CreateKeyAsync(new { name = "budgeted", monthly_budget_usd = 0.001m });
        var body = ChatBodies.Simple("cheap");

        using var first = await _node.Http.SendAsync(AuthFixture.With(ChatBodies.Post(body), secret));
        using var second = await _node.Http.SendAsync(AuthFixture.With(ChatBodies.Post(body), secret));

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(HttpStatusCode.TooManyRequests, second.StatusCode);
        Assert.Equal("key_budget_exhausted", await CodeAsync(second));
        Assert.Equal(1, _node.Upstream.TotalCalls);
        using var key = await AdminGetAsync($"/v1/dispatcher/keys/{id}");
        Assert.True(key.RootElement.GetProperty("spent_this_month_usd").GetDecimal() > 0.001m);
    }

    [Fact]
    public async Task Chat_BudgetLeftBelowEstimate_CandidateSkippedAsCostCeiling()
    {
        // 0.00001 USD left cannot pay for primary's estimate (1000 expected output tokens at 10 USD/MTok).
        var (_, secret, _) = await _node.CreateKeyAsync(new { name = "nearly-spent", monthly_budget_usd = 0.00001m });

        using var response = await _node.Http.SendAsync(AuthFixture.With(ChatBodies.Post(ChatBodies.Simple("chain")), secret));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("cost_ceiling", await CodeAsync(response));
        Assert.Equal(0, _node.Upstream.TotalCalls);
    }

    [Fact]
    public async Task Chat_StrictKey_NoFallbackUnlessTheRequestAsksForIt()
    {
        var (_, secret, _) = await _node.CreateKeyAsync(new { name = "strict", strict = true });
        _node.Upstream.Enqueue("primary-model", FakeBehavior.InvalidRequest() with { });
        _node.Upstream.Enqueue("primary-model", FakeBehavior.ModelNotFound());
        _node.Upstream.Enqueue("primary-model", FakeBehavior.ModelNotFound());

        using var invalid = await _node.Http.SendAsync(AuthFixture.With(ChatBodies.Post(ChatBodies.Simple("chain")), secret));
        using var strict = await _node.Http.SendAsync(AuthFixture.With(ChatBodies.Post(ChatBodies.Simple("chain")), secret));
        using var request = AuthFixture.With(ChatBodies.Post(ChatBodies.Simple("chain")), secret);
        request.Headers.Add("x-dispatcher-fallback", "on");
        using var fallback = await _node.Http.SendAsync(request);

        Assert.Equal(HttpStatusCode.BadRequest, invalid.StatusCode);
        Assert.Equal(HttpStatusCode.BadGateway, strict.StatusCode);
        Assert.Equal("primary=model_not_found", ChatBodies.Header(strict, "x-dispatcher-fallback-reasons"));
        Assert.Equal(HttpStatusCode.OK, fallback.StatusCode);
        Assert.Equal("backup", ChatBodies.Header(fallback, "x-dispatcher-model"));
    }

    [Fact]
    public async Task DeletedKey_IsRefusedAtOnce()
    {
        var (id, secret, _) = await _node.CreateKeyAsync(new { name = "short-lived" });

        using var delete = AuthFixture.With(new HttpRequestMessage(HttpMethod.Delete, $"/v1/dispatcher/keys/{id}"), AuthFixture.AdminKey);
        using var deleted = await _node.Http.SendAsync(delete);
        using var after = await _node.Http.SendAsync(AuthFixture.With(ChatBodies.Post(ChatBodies.Simple("chain")), secret));
        using var again = AuthFixture.With(new HttpRequestMessage(HttpMethod.Delete, $"/v1/dispatcher/keys/{id}"), AuthFixture.AdminKey);
        using var deletedAgain = await _node.Http.SendAsync(again);

        Assert.Equal(HttpStatusCode.OK, deleted.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, after.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, deletedAgain.StatusCode);
    }

    private async Task<JsonDocument> AdminGetAsync(string path)
    {
        using var request = AuthFixture.With(new HttpRequestMessage(HttpMethod.Get, path), AuthFixture.AdminKey);
        using var response = await _node.Http.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, body);
        return JsonDocument.Parse(body);
    }

    internal static async Task<string?> CodeAsync(HttpResponseMessage response)
    {
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return document.RootElement.GetProperty("error").GetProperty("code").GetString();
    }
}
