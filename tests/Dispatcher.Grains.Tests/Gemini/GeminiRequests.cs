using System.Text;
using System.Text.Json.Nodes;
using Dispatcher.Grains.Tests.Chat;
using Dispatcher.Providers;
using Dispatcher.Providers.Gemini;
using Xunit;

namespace Dispatcher.Grains.Tests.Gemini;

/// <summary>Runs the request mapper on an OpenAI body, as the adapter does before each attempt.</summary>
internal static class GeminiRequests
{
    public static JsonObject Map(string openAiBody, string model = "gemini-2.5-flash")
    {
        var failure = TryMap(openAiBody, model, out var body);
        Assert.True(failure is null, $"expected a Gemini body, got {failure?.Kind}: {failure?.Detail}");
        return body!;
    }

    public static UpstreamFailure Refuse(string openAiBody, string model = "gemini-2.5-flash")
    {
        var failure = TryMap(openAiBody, model, out _);
        Assert.NotNull(failure);
        return failure;
    }

    private static UpstreamFailure? TryMap(string openAiBody, string model, out JsonObject? body)
    {
        using var request = ChatRequests.Parse(openAiBody);
        using var output = new PooledBuffer();
        var failure = GeminiMapper.WriteRequest(request, model, output);
        body = failure is null ? JsonNode.Parse(Encoding.UTF8.GetString(output.WrittenSpan))!.AsObject() : null;
        if (failure is not null)
        {
            Assert.Equal(0, output.Length);
        }

        return failure;
    }
}
