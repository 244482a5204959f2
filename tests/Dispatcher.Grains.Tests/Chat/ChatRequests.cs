using System.Buffers;
using System.Text;
using Dispatcher.Providers.Chat;
using Xunit;

namespace Dispatcher.Grains.Tests.Chat;

/// <summary>Parses request bodies the way the front does: a rented buffer whose ownership passes to the request.</summary>
internal static class ChatRequests
{
    public static ChatRequest? TryParse(string json, out ChatRequestError? error) => TryParse(Encoding.UTF8.GetBytes(json), out error);

    public static ChatRequest? TryParse(byte[] body, out ChatRequestError? error)
    {
        var pooled = ArrayPool<byte>.Shared.Rent(Math.Max(body.Length, 1));
        body.CopyTo(pooled, 0);
        return ChatRequestParser.Parse(pooled, body.Length, out error);
    }

    public static ChatRequest Parse(string json)
    {
        var request = TryParse(json, out var error);
        Assert.True(request is not null, $"expected a valid request, got: {error?.Message}");
        Assert.Null(error);
        return request;
    }

    public static ChatRequestError Refuse(string json)
    {
        var request = TryParse(json, out var error);
        Assert.Null(request);
        Assert.NotNull(error);
        return error;
    }
}
