using Dispatcher.Providers;
using Microsoft.AspNetCore.Http;

namespace Dispatcher.ApiFront.Endpoints;

/// <summary>Reads a request body into a pooled array, refusing bodies over the configured limit.</summary>
internal static class RequestBodyReader
{
    /// <summary>What <see cref="ReadAsync"/> returns as the length when the body could not be read at all.</summary>
    public const int Unreadable = -1;

    /// <summary>
    /// The body in a rented array (the caller owns it), or null when it is over <paramref name="maxBytes"/>, or null
    /// with <see cref="Unreadable"/> when it ended short of its Content-Length or the client left while sending it.
    /// </summary>
    public static async Task<(byte[]? Buffer, int Length)> ReadAsync(HttpRequest request, long maxBytes, CancellationToken cancellationToken)
    {
        if (request.ContentLength > maxBytes)
        {
            return (null, 0);
        }

        var buffer = BytePool.Rent((int)Math.Clamp(request.ContentLength ?? 16 * 1024, 256, maxBytes + 1));
        var length = 0;
        try
        {
            while (true)
            {
                if (length == buffer.Length)
                {
                    if (length > maxBytes)
                    {
                        BytePool.Return(buffer);
                        return (null, 0);
                    }

                    var bigger = BytePool.Rent((int)Math.Min((long)buffer.Length * 2, maxBytes + 1));
                    buffer.AsSpan(0, length).CopyTo(bigger);
                    BytePool.Return(buffer);
                    buffer = bigger;
                }

                var read = await request.Body.ReadAsync(buffer.AsMemory(length), cancellationToken);
                if (read == 0)
                {
                    break;
                }

                length += read;
                if (length > maxBytes)
                {
                    BytePool.Return(buffer);
                    return (null, 0);
                }
            }

            return (buffer, length);
        }
        catch (Exception ex) when (ex is BadHttpRequestException || (ex is OperationCanceledException && cancellationToken.IsCancellationRequested))
        {
            // A client fault, not a server one: answered with a 400 (or nothing, when it left), never logged as an error.
            BytePool.Return(buffer);
            return (null, Unreadable);
        }
        catch
        {
            BytePool.Return(buffer);
            throw;
        }
    }
}
