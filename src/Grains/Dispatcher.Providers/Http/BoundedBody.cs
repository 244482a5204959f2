namespace Dispatcher.Providers.Http;

/// <summary>Reads an upstream body into a pooled buffer, refusing to hold more than a limit.</summary>
internal static class BoundedBody
{
    /// <summary>Largest error body read for classification; the rest is dropped with the connection.</summary>
    public const int MaxErrorBytes = 64 * 1024;

    /// <summary>Reads <paramref name="content"/> into <paramref name="output"/>; false when it exceeds <paramref name="maxBytes"/>.</summary>
    public static async Task<bool> ReadAsync(HttpContent content, PooledBuffer output, int maxBytes, CancellationToken cancellationToken)
    {
        var stream = await content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            while (true)
            {
                var memory = output.GetMemory(8192);
                var read = await stream.ReadAsync(memory, cancellationToken).ConfigureAwait(false);
                if (read == 0)
                {
                    return true;
                }

                output.Advance(read);
                if (output.Length > maxBytes)
                {
                    return false;
                }
            }
        }
    }

    /// <summary>True when the media type of <paramref name="content"/> contains <paramref name="expected"/>.</summary>
    public static bool HasMediaType(HttpContent content, string expected) =>
        content.Headers.ContentType?.MediaType?.Contains(expected, StringComparison.OrdinalIgnoreCase) == true;
}
