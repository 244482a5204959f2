using System.Net;
using System.Text.Json;
using Dispatcher.ApiFront.Tests.TestHost;
using Dispatcher.FakeUpstream;
using OpenAI.Chat;

namespace Dispatcher.ApiFront.Tests.Auth;

[Collection(AuthCollection.Name)]
public sealed class AdminKeyTests
{
    private readonly AuthFixture _node;

    public AdminKeyTests(AuthFixture node)
    {
        _node = node;
        _node.Reset();
    }

    [Theory]
    [InlineData("GET", "/v1/dispatcher/providers")]
    [InlineData("GET", "/v1/dispatcher/requests/abc")]
    [InlineData("GET", "/v1/dispatcher/keys")]
    [InlineData("POST", "/v1/dispatcher/keys")]
    [InlineData("DELETE", "/v1/dispatcher/keys/vk-0000")]
    [InlineData("GET", "/v1/dispatcher/chaos")]
    [InlineData("GET", "/dashboard")]
    [InlineData("GET", "/dashboard/app.js")]
    public async Task OperatorPath_WithoutAdminKey_401AndWithVirtualKey_403(string method, string path)
    {
        var (_, secret, _) = await _node.CreateKeyAsync(new { name = "not-admin" });

        using var anonymous = await _node.Http.SendAsync(new HttpRequestMessage(new HttpMethod(method), path));
        using var wrong = await _node.Http.SendAsync(AuthFixture.With(new HttpRequestMessage(new HttpMethod(method), path), "not-the-admin-key"));
        using var virtualKey = await _node.Http.SendAsync(AuthFixture.With(new HttpRequestMessage(new HttpMethod(method), path), secret));

        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, virtualKey.StatusCode);
        Assert.Equal("admin_key_required", await VirtualKeyTests.CodeAsync(virtualKey));
    }

    [Fact]
    public async Task OperatorPath_WithAdminKey_Served()
    {
        using var response = await _node.Http.SendAsync(AuthFixture.With(new HttpRequestMessage(HttpMethod.Get, "/v1/dispatcher/providers"), AuthFixture.AdminKey));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task HealthProbes_NeedNoKey()
    {
        using var health = await _node.Http.GetAsync(new Uri("/healthz", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
    }

    [Fact]
    public async Task AdminKey_CannotMakeChatRequests()
    {
        using var response = await _node.Http.SendAsync(AuthFixture.With(ChatBodies.Post(ChatBodies.Simple("chain")), AuthFixture.AdminKey));

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal(0, _node.Upstream.TotalCalls);
    }

    [Fact]
    public async Task KeySecret_ShownOnceOnCreation_NeverAgain()
    {
        var (id, secret, created) = await _node.CreateKeyAsync(new { name = "once", routes = new[] { "cheap" }, rpm = 10, monthly_budget_usd = 5, strict = true });

        using var list = AuthFixture.With(new HttpRequestMessage(HttpMethod.Get, "/v1/dispatcher/keys"), AuthFixture.AdminKey);
        using var listed = await _node.Http.SendAsync(list);
        using var one = AuthFixture.With(new HttpRequestMessage(HttpMethod.Get, $"/v1/dispatcher/keys/{id}"), AuthFixture.AdminKey);
        using var shown = await _node.Http.SendAsync(one);
        var listBody = await listed.Content.ReadAsStringAsync();
        var showBody = await shown.Content.ReadAsStringAsync();

        Assert.StartsWith("dk-", secret, StringComparison.Ordinal);
        Assert.Contains(secret, created, StringComparison.Ordinal);
        Assert.Contains(id, listBody, StringComparison.Ordinal);
        Assert.DoesNotContain(secret, listBody, StringComparison.Ordinal);
        Assert.DoesNotContain(secret, showBody, StringComparison.Ordinal);
        using var view = JsonDocument.Parse(showBody);
        Assert.False(view.RootElement.TryGetProperty("key", out _));
        Assert.Equal(["cheap"], view.RootElement.GetProperty("routes").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(10, view.RootElement.GetProperty("rpm").GetInt32());
        Assert.Equal(5m, view.RootElement.GetProperty("monthly_budget_usd").GetDecimal());
        Assert.True(view.RootElement.GetProperty("strict").GetBoolean());
    }

    [Theory]
    [InlineData("""{"name":"x","routes":["nope"]}""", "routes")]
    [InlineData("""{"name":"x","models":["nope"]}""", "models")]
    [InlineData("""{"name":"x","rpm":0}""", "rpm")]
    [InlineData("""{"name":"x","monthly_budget_usd":-1}""", "monthly_budget_usd")]
    public async Task CreateKey_InvalidSpec_400NamingTheField(string body, string param)
    {
        using var request = AuthFixture.With(ChatBodies.Post(body), AuthFixture.AdminKey);
        request.RequestUri = new Uri("/v1/dispatcher/keys", UriKind.Relative);

        using var response = await _node.Http.SendAsync(request);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        using var error = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal(param, error.RootElement.GetProperty("error").GetProperty("param").GetString());
    }

    [Fact]
    public async Task Secrets_NeverInAnyResponseLogLineOrTrail()
    {
        var (_, secret, _) = await _node.CreateKeyAsync(new { name = "leak-check" });
        string[] secrets = [secret, AuthFixture.AdminKey, AuthFixture.AlphaKey, AuthFixture.BetaKey];
        var seen = new List<string>();

        // The upstream refuses its key (and its error text echoes a key, as OpenAI's does), then fails, then serves.
        _node.Upstream.Enqueue("primary-model", FakeBehavior.Unauthorized());
        _node.Upstream.Enqueue("backup-model", FakeBehavior.Status(500));
        _node.Upstream.Enqueue("backup-model", FakeBehavior.Status(500));
        using (var failed = await _node.Http.SendAsync(AuthFixture.With(ChatBodies.Post(ChatBodies.Simple("chain")), secret)))
        {
            seen.Add(await DescribeAsync(failed));
            seen.Add(await TrailAsync(ChatBodies.Header(failed, "x-dispatcher-request-id")));
        }

        var served = await _node.Chat("chain", secret).CompleteChatAsync([new UserChatMessage("Hi")]);
        seen.Add(served.GetRawResponse().Content.ToString() + string.Join(";", served.GetRawResponse().Headers.Select(h => h.Key + "=" + h.Value)));
        served.GetRawResponse().Headers.TryGetValue("x-dispatcher-request-id", out var servedId);
        seen.Add(await TrailAsync(servedId!));

        using (var stream = await _node.Http.SendAsync(AuthFixture.With(ChatBodies.Post(ChatBodies.Simple("chain", stream: true)), secret)))
        {
            seen.Add(await DescribeAsync(stream));
        }

        using (var wrong = await _node.Http.SendAsync(AuthFixture.With(ChatBodies.Post(ChatBodies.Simple("chain")), secret + "x")))
        {
            seen.Add(await DescribeAsync(wrong));
        }

        using (var providers = await _node.Http.SendAsync(AuthFixture.With(new HttpRequestMessage(HttpMethod.Get, "/v1/dispatcher/providers"), AuthFixture.AdminKey)))
        {
            seen.Add(await DescribeAsync(providers));
        }

        Assert.NotEmpty(_node.Logs.Lines);
        foreach (var text in seen.Concat(_node.Logs.Lines))
        {
            foreach (var leaked in secrets)
            {
                Assert.DoesNotContain(leaked, text, StringComparison.Ordinal);
            }
        }
    }

    private async Task<string> TrailAsync(string requestId)
    {
        using var request = AuthFixture.With(new HttpRequestMessage(HttpMethod.Get, $"/v1/dispatcher/requests/{requestId}"), AuthFixture.AdminKey);
        using var response = await _node.Http.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadAsStringAsync();
    }

    private static async Task<string> DescribeAsync(HttpResponseMessage response) =>
        await response.Content.ReadAsStringAsync() + string.Join(";", response.Headers.Concat(response.Content.Headers).Select(h => h.Key + "=" + string.Join(",", h.Value)));
}
