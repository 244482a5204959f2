using System.Globalization;
using System.Net;
using System.Text.Json;
using Dispatcher.ApiFront.Tests.TestHost;
using Dispatcher.FakeUpstream;
using OpenAI.Chat;

namespace Dispatcher.ApiFront.Tests.Endpoints;

[Collection(DispatcherCollection.Name)]
public sealed class ChatCompletionsTests
{
    private readonly DispatcherFixture _node;

    public ChatCompletionsTests(DispatcherFixture node)
    {
        _node = node;
        _node.Reset();
    }

    [Fact]
    public async Task CompleteChat_FirstCandidateServes_AnswerAndHeadersSaySo()
    {
        var result = await _node.Chat("chain").CompleteChatAsync([new UserChatMessage("Say hello.")]);

        Assert.Equal("Hello from the fake upstream.", result.Value.Content[0].Text);
        Assert.Equal("primary-model", result.Value.Model);
        var headers = result.GetRawResponse().Headers;
        Assert.Equal("primary", Get(headers, "x-dispatcher-model"));
        Assert.Equal("alpha", Get(headers, "x-dispatcher-provider"));
        Assert.Equal("1", Get(headers, "x-dispatcher-attempts"));
        Assert.Equal(string.Empty, Get(headers, "x-dispatcher-fallback-reasons"));
        Assert.Matches("^[0-9a-f]{32}$", Get(headers, "x-dispatcher-request-id"));
        Assert.True(double.Parse(Get(headers, "x-dispatcher-overhead-ms"), CultureInfo.InvariantCulture) >= 0);
        var usage = result.Value.Usage;
        var expectedCost = ((usage.InputTokenCount * 2.5m) + (usage.OutputTokenCount * 10m)) / 1_000_000m;
        Assert.Equal(expectedCost, decimal.Parse(Get(headers, "x-dispatcher-cost-usd"), CultureInfo.InvariantCulture), 10);
        Assert.Equal(1, _node.Upstream.CallCount("primary-model"));
        Assert.Equal(0, _node.Upstream.CallCount("backup-model"));
    }

    [Fact]
    public async Task CompleteChat_BodyPassesThrough_OnlyModelRewrittenAndCallerKeyNotForwarded()
    {
        const string body = "{\"model\":\"chain\",\"temperature\":0.25,\"messages\":[{\"role\":\"user\",\"content\":\"caf\\u00e9 \\ud83d\\ude00\"}],\"x_custom\":{\"a\":[1,2,{\"b\":null}]},\"models\":[\"primary\"],\"seed\":7}";
        using var request = ChatBodies.Post(body);
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", "sk-client-secret");

        using var response = await _node.Http.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var received = Assert.Single(_node.Upstream.Received);
        Assert.Equal("{\"model\":\"primary-model\",\"temperature\":0.25,\"messages\":[{\"role\":\"user\",\"content\":\"caf\\u00e9 \\ud83d\\ude00\"}],\"x_custom\":{\"a\":[1,2,{\"b\":null}]},\"seed\":7}", received.Body);
        Assert.Equal("Bearer " + DispatcherFixture.AlphaKey, received.Authorization);
    }

    [Fact]
    public async Task CompleteChat_ModelsListInBody_IsTheChain()
    {
        _node.Upstream.Enqueue("backup-model", FakeBehavior.Status(503));
        _node.Upstream.Enqueue("backup-model", FakeBehavior.Status(503));
        using var response = await _node.Http.SendAsync(ChatBodies.Post("{\"models\":[\"backup\",\"primary\"],\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("primary", ChatBodies.Header(response, "x-dispatcher-model"));
        Assert.Equal("backup=server_error;backup=server_error", ChatBodies.Header(response, "x-dispatcher-fallback-reasons"));
        Assert.Equal("3", ChatBodies.Header(response, "x-dispatcher-attempts"));
    }

    [Fact]
    public async Task Models_ListsRoutesAndAliases()
    {
        using var document = JsonDocument.Parse(await _node.Http.GetStringAsync("/v1/models"));

        Assert.Equal("list", document.RootElement.GetProperty("object").GetString());
        var ids = document.RootElement.GetProperty("data").EnumerateArray().Select(e => e.GetProperty("id").GetString()).ToArray();
        Assert.Contains("chain", ids);
        Assert.Contains("primary", ids);
        Assert.Contains("backup", ids);
        var chain = document.RootElement.GetProperty("data").EnumerateArray().First(e => e.GetProperty("id").GetString() == "chain");
        Assert.Equal(["primary", "backup"], chain.GetProperty("chain").EnumerateArray().Select(e => e.GetString()));
    }

    [Fact]
    public async Task Health_AndReady_Answer()
    {
        using var health = await _node.Http.GetAsync("/healthz");
        using var ready = await _node.Http.GetAsync("/readyz");

        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        Assert.Contains("\"configured\"", await ready.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    private static string Get(System.ClientModel.Primitives.PipelineResponseHeaders headers, string name) =>
        headers.TryGetValue(name, out var value) ? value ?? string.Empty : throw new Xunit.Sdk.XunitException($"missing header {name}");
}
