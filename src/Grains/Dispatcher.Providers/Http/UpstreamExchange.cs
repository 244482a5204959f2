using System.Diagnostics;

namespace Dispatcher.Providers.Http;

/// <summary>
/// The HTTP steps every adapter shares: send a JSON POST (connection failures classified once, here), read a bounded
/// error body for the adapter's classifier, read a bounded JSON answer. Wire-format specifics stay in the adapters.
/// </summary>
internal static class UpstreamExchange
{
    /// <summary>A JSON POST of <paramref name="body"/> with the key header (when there is a key) and extra headers.</summary>
    public static HttpRequestMessage JsonPost(Uri uri, PooledBuffer body, string keyHeader, string? keyValue, IReadOnlyDictionary<string, string> headers)
    {
        var message = new HttpRequestMessage(HttpMethod.Post, uri)
        {
            Content = new ReadOnlyMemoryContent(body.WrittenMemory),
            Version = System.Net.HttpVersion.Version11,
        };
        message.Content.Headers.TryAddWithoutValidation("Content-Type", "application/json");
        if (!string.IsNullOrEmpty(keyValue))
        {
            message.Headers.TryAddWithoutValidation(keyHeader, keyValue);
        }

        foreach (var (name, value) in headers)
        {
            message.Headers.TryAddWithoutValidation(name, value);
        }

        // W3C trace context of the current attempt span (or of whatever trace the request is in), so an upstream that
        // traces joins the request's trace. The shared handler does not inject it itself (see UpstreamHttp).
        if (Activity.Current is { } activity)
        {
            DistributedContextPropagator.Current.Inject(activity, message, static (carrier, name, value) =>
            {
                if (carrier is HttpRequestMessage request && value is not null)
                {
                    request.Headers.TryAddWithoutValidation(name, value);
                }
            });
        }

        return message;
    }

    /// <summary>Sends <paramref name="message"/> (and disposes it); a response with its headers, or a connection failure.</summary>
    public static async Task<(HttpResponseMessage? Response, UpstreamFailure? Failure)> SendAsync(
        HttpClient http, HttpRequestMessage message, CancellationToken cancellationToken)
    {
        using (message)
        {
            try
            {
                var response = await http.SendAsync(message, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
                return (response, null);
            }
            catch (HttpRequestException) when (!cancellationToken.IsCancellationRequested)
            {
                return (null, UpstreamFailure.Of(FailureKind.ConnectionFailed, "could not connect to the upstream"));
            }
            catch (IOException) when (!cancellationToken.IsCancellationRequested)
            {
                return (null, UpstreamFailure.Of(FailureKind.ConnectionFailed, "the upstream connection broke"));
            }
        }
    }

    /// <summary>Up to <see cref="BoundedBody.MaxErrorBytes"/> of an error answer's body (the caller disposes it).</summary>
    public static async Task<PooledBuffer> ReadErrorBodyAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var errorBody = new PooledBuffer(2048);
        try
        {
            await BoundedBody.ReadAsync(response.Content, errorBody, BoundedBody.MaxErrorBytes, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException)
        {
            // The status still classifies the failure when its body breaks off.
        }

        return errorBody;
    }

    /// <summary>The first <see cref="BoundedBody.MaxErrorBytes"/> of an error body, for a classifier.</summary>
    public static ReadOnlySpan<byte> ErrorSpan(PooledBuffer errorBody) =>
        errorBody.WrittenSpan[..Math.Min(errorBody.Length, BoundedBody.MaxErrorBytes)];

    /// <summary>A successful answer's JSON body (the caller disposes it), or why it is not one.</summary>
    public static async Task<(PooledBuffer? Answer, UpstreamFailure? Failure)> ReadAnswerAsync(
        HttpResponseMessage response, int maxBytes, CancellationToken cancellationToken)
    {
        if (!BoundedBody.HasMediaType(response.Content, "json"))
        {
            return (null, UpstreamFailure.Of(FailureKind.InvalidResponse, "the upstream answered with a non-JSON content type"));
        }

        var answer = new PooledBuffer(16 * 1024);
        try
        {
            if (await BoundedBody.ReadAsync(response.Content, answer, maxBytes, cancellationToken).ConfigureAwait(false))
            {
                return (answer, null);
            }

            answer.Dispose();
            return (null, UpstreamFailure.Of(FailureKind.InvalidResponse, "the upstream's answer exceeds the size limit"));
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException)
        {
            answer.Dispose();
            return (null, UpstreamFailure.Of(FailureKind.ConnectionFailed, "the upstream connection broke while sending the answer"));
        }
        catch
        {
            answer.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Turns a response to a stream request into a chunk source: an error status is classified by
    /// <paramref name="classify"/>, a success without an event stream is <c>invalid_response</c>. Takes ownership of
    /// <paramref name="response"/> and <paramref name="requestBody"/> (the source disposes them, or they are disposed here).
    /// </summary>
    public static async Task<StreamOpenResult> OpenEventStreamAsync(
        HttpResponseMessage response, PooledBuffer requestBody, RateLimitHint hint,
        Func<HttpResponseMessage, CancellationToken, Task<UpstreamFailure>> classify,
        Func<HttpResponseMessage, Stream, PooledBuffer, IChunkSource> createSource,
        CancellationToken cancellationToken)
    {
        if (!response.IsSuccessStatusCode || !BoundedBody.HasMediaType(response.Content, "event-stream"))
        {
            using (response)
            using (requestBody)
            {
                var error = response.IsSuccessStatusCode
                    ? UpstreamFailure.Of(FailureKind.InvalidResponse, "the upstream answered a stream request without an event stream")
                    : await classify(response, cancellationToken).ConfigureAwait(false);
                return StreamOpenResult.Failed(error, hint);
            }
        }

        try
        {
            var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
            return StreamOpenResult.Opened(createSource(response, stream, requestBody), hint);
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException)
        {
            response.Dispose();
            requestBody.Dispose();
            return StreamOpenResult.Failed(UpstreamFailure.Of(FailureKind.StreamCut, "the upstream connection broke before the stream began"), hint);
        }
    }
}
