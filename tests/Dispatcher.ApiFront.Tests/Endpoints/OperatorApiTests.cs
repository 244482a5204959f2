using System.Net;
using System.Text.Json;
using Dispatcher.ApiFront.Tests.TestHost;
using Dispatcher.FakeUpstream;

namespace Dispatcher.ApiFront.Tests.Endpoints;

[Collection(DispatcherCollection.Name)]
public sealed class OperatorApiTests
{
    private readonly DispatcherFixture _node;

    public OperatorApiTests(DispatcherFixture node)
    {
        _node = node;
        _node.Reset();
    }

    [Fact]
    public async Task RequestTrail_RecordsEveryAttemptWithKindActionAndCost()
    {
        _node.Upstream.Enqueue("primary-model", FakeBehavior.ContextLengthExceeded());
        using var served = await _node.Http.SendAsync(ChatBodies.Post(ChatBodies.Simple("chain")));
        var requestId = ChatBodies.Header(served, "x-dispatcher-request-id");

        using var trail = JsonDocument.Parse(await _node.Http.GetStringAsync($"/v1/dispatcher/requests/{requestId}"));

        var root = trail.RootElement;
        Assert.Equal(requestId, root.GetProperty("request_id").GetString());
        Assert.Equal("backup", root.GetProperty("served_model").GetString());
        Assert.Equal(200, root.GetProperty("status").GetInt32());
        var attempts = root.GetProperty("attempts").EnumerateArray().ToArray();
        Assert.Equal(2, attempts.Length);
        Assert.Equal("context_overflow", attempts[0].GetProperty("kind").GetString());
        Assert.Equal("next_candidate", attempts[0].GetProperty("action").GetString());
        Assert.Equal("served", attempts[1].GetProperty("kind").GetString());
        Assert.Equal(root.GetProperty("cost_usd").GetDecimal(), attempts[1].GetProperty("cost_usd").GetDecimal());
        Assert.Equal(ChatBodies.Header(served, "x-dispatcher-cost-usd"), root.GetProperty("cost_usd").GetDecimal().ToString("0.##########", System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task RequestTrail_UnknownId_404()
    {
        using var response = await _node.Http.GetAsync("/v1/dispatcher/requests/0123456789abcdef0123456789abcdef");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task Providers_ShowBreakersAndKeyIds_NeverSecrets()
    {
        using var served = await _node.Http.SendAsync(ChatBodies.Post(ChatBodies.Simple("chain")));

        var body = await _node.Http.GetStringAsync("/v1/dispatcher/providers");

        Assert.DoesNotContain("sk-test", body, StringComparison.Ordinal);
        using var document = JsonDocument.Parse(body);
        var alpha = document.RootElement.GetProperty("data").EnumerateArray().Single(p => p.GetProperty("name").GetString() == "alpha");
        Assert.Equal("closed", alpha.GetProperty("state").GetString());
        var deployment = alpha.GetProperty("deployments").EnumerateArray().Single(d => d.GetProperty("model").GetString() == "primary-model");
        Assert.Equal("closed", deployment.GetProperty("state").GetString());
        Assert.Equal(1, deployment.GetProperty("recent_successes").GetInt32());
        var key = Assert.Single(alpha.GetProperty("keys").EnumerateArray());
        Assert.Matches("^key-[0-9a-f]{8}$", key.GetProperty("id").GetString());
        Assert.Equal("embedded", document.RootElement.GetProperty("authority").GetString());
    }
}
