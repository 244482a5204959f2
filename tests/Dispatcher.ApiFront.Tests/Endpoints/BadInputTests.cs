using System.Net;
using System.Text.Json;
using Dispatcher.ApiFront.Tests.TestHost;

namespace Dispatcher.ApiFront.Tests.Endpoints;

[Collection(DispatcherCollection.Name)]
public sealed class BadInputTests
{
    private readonly DispatcherFixture _node;

    public BadInputTests(DispatcherFixture node)
    {
        _node = node;
        _node.Reset();
    }

    [Theory]
    [InlineData("{\"model\":\"chain\",\"messages\":[", 400, "invalid_request")]
    [InlineData("[1,2,3]", 400, "invalid_request")]
    [InlineData("{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}", 400, "invalid_request")]
    [InlineData("{\"model\":\"chain\"}", 400, "invalid_request")]
    [InlineData("{\"model\":\"chain\",\"messages\":[]}", 400, "invalid_request")]
    [InlineData("{\"model\":\"chain\",\"model\":\"backup\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}", 400, "invalid_request")]
    [InlineData("{\"model\":\"chain\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"stream\":\"yes\"}", 400, "invalid_request")]
    [InlineData("{\"model\":\"chain\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"max_tokens\":-5}", 400, "invalid_request")]
    [InlineData("{\"model\":\"no-such-model\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}", 404, "model_not_found")]
    public async Task Complete_BadBody_OpenAiShapedErrorAndNoUpstreamCall(string body, int status, string code)
    {
        using var response = await _node.Http.SendAsync(ChatBodies.Post(body));

        await AssertErrorAsync(response, status, code);
        Assert.Equal(0, _node.Upstream.TotalCalls);
    }

    [Fact]
    public async Task Complete_BodyOverLimit_413()
    {
        var huge = ChatBodies.Simple("chain").Replace("Say hello.", new string('x', DispatcherFixture.MaxBodyBytes), StringComparison.Ordinal);

        using var response = await _node.Http.SendAsync(ChatBodies.Post(huge));

        await AssertErrorAsync(response, 413, "request_too_large");
    }

    [Fact]
    public async Task Complete_WrongContentType_415()
    {
        using var response = await _node.Http.SendAsync(ChatBodies.Post(ChatBodies.Simple("chain"), "text/plain"));

        await AssertErrorAsync(response, 415, "unsupported_media_type");
    }

    [Fact]
    public async Task UnknownPath_404_AndWrongMethod_405_AreOpenAiShaped()
    {
        using var unknown = await _node.Http.GetAsync("/v1/embeddingz");
        using var wrongMethod = await _node.Http.GetAsync("/v1/chat/completions");

        await AssertErrorAsync(unknown, 404, "not_found");
        await AssertErrorAsync(wrongMethod, 405, "method_not_allowed");
    }

    private static async Task AssertErrorAsync(HttpResponseMessage response, int status, string code)
    {
        Assert.Equal((HttpStatusCode)status, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var error = document.RootElement.GetProperty("error");
        Assert.Equal(code, error.GetProperty("code").GetString());
        Assert.False(string.IsNullOrWhiteSpace(error.GetProperty("message").GetString()));
        Assert.True(error.TryGetProperty("type", out _));
        Assert.True(error.TryGetProperty("param", out _));
    }
}
