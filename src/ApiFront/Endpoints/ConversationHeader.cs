using Dispatcher.ApiFront.Contracts;
using Microsoft.AspNetCore.Http;

namespace Dispatcher.ApiFront.Endpoints;

/// <summary>Reads <c>x-dispatcher-session</c>: up to 256 visible ASCII characters; absent or empty = no conversation.</summary>
internal static class ConversationHeader
{
    public const int MaxLength = 256;

    public const string Invalid = "The x-dispatcher-session header must be at most 256 visible ASCII characters.";

    public static bool TryRead(HttpRequest request, out string? sessionId)
    {
        sessionId = null;
        var values = request.Headers[DispatcherHeaders.Session];
        if (values.Count == 0)
        {
            return true;
        }

        var value = values.Count == 1 ? values[0] : null;
        if (value is null || value.Length > MaxLength)
        {
            return false;
        }

        foreach (var c in value)
        {
            if (c is < '!' or > '~')
            {
                return false;
            }
        }

        sessionId = value.Length == 0 ? null : value;
        return true;
    }
}
