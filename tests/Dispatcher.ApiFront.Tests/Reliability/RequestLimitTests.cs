using System.Net;
using System.Text;
using System.Text.Json;
using Dispatcher.ApiFront.Tests.TestHost;

namespace Dispatcher.ApiFront.Tests.Reliability;

/// <summary>Request size and header limits: OpenAI-shaped refusals where the application can answer, and the node serves on.</summary>
[Collection(DispatcherCollection.Name)]
public sealed class RequestLimitTests
{
    private readonly DispatcherFixture _node;

    public RequestLimitTests(DispatcherFixture node)
    {
        _node = node;
        _node.Reset();
    }

    [Fact]
    public async Task Complete_HeadersOverTheLimit_OpenAiShaped431AndNoUpstreamCall()
    {
        using var request = ChatBodies.Post(ChatBodies.Simple("chain"));
        request.Headers.TryAddWithoutValidation("x-padding", new string('p', 40 * 1024));

        using var response = await _node.Http.SendAsync(request);

        Assert.Equal(HttpStatusCode.RequestHeaderFieldsTooLarge, response.StatusCode);
        Assert.Equal("request_headers_too_large", await ErrorCodeAsync(response));
        Assert.Equal(0, _node.Upstream.TotalCalls);
    }

    [Fact]
    public async Task Complete_HeadersOverKestrelsHardLimit_Bare431ThenTheNodeServesOn()
    {
        var hostile = new HostileCase(0, "raw_header", Encoding.UTF8.GetBytes(ChatBodies.Simple("chain")), "application/json",
            [new("x-huge", new string('z', 70 * 1024))], HostileDelivery.RawHeaders);

        var answer = await RawHttp.SendAsync(_node.BaseUrl, hostile, CancellationToken.None);
        using var after = await _node.Http.SendAsync(ChatBodies.Post(ChatBodies.Simple("chain")));

        Assert.Equal(431, answer.Status);
        Assert.Equal(HttpStatusCode.OK, after.StatusCode);
    }

    [Fact]
    public async Task Complete_ChunkedBodyOverTheLimit_OpenAiShaped413()
    {
        var body = ChatBodies.Simple("chain").Replace("Say hello.", new string('x', DispatcherFixture.MaxBodyBytes), StringComparison.Ordinal);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions")
        {
            Content = new StreamContent(new MemoryStream(Encoding.UTF8.GetBytes(body))),
        };
        request.Content.Headers.TryAddWithoutValidation("Content-Type", "application/json");
        request.Headers.TransferEncodingChunked = true;

        using var response = await _node.Http.SendAsync(request);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Equal("request_too_large", await ErrorCodeAsync(response));
        Assert.Equal(0, _node.Upstream.TotalCalls);
    }

    private static async Task<string?> ErrorCodeAsync(HttpResponseMessage response)
    {
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return document.RootElement.GetProperty("error").GetProperty("code").GetString();
    }
}
