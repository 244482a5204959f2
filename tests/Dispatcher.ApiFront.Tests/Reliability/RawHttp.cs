using System.Net.Sockets;
using System.Text;

namespace Dispatcher.ApiFront.Tests.Reliability;

/// <summary>HTTP/1.1 over a bare socket, for what HttpClient will not send: trickled, truncated and raw-header requests.</summary>
public static class RawHttp
{
    /// <summary>A response as read off the wire: the status (0 when the server closed without one), headers and decoded body.</summary>
    public sealed record Answer(int Status, string Head, byte[] Body)
    {
        public string? Header(string name)
        {
            foreach (var line in Head.Split("\r\n"))
            {
                var colon = line.IndexOf(':', StringComparison.Ordinal);
                if (colon > 0 && line[..colon].Trim().Equals(name, StringComparison.OrdinalIgnoreCase))
                {
                    return line[(colon + 1)..].Trim();
                }
            }

            return null;
        }
    }

    /// <summary>Sends <paramref name="hostile"/> on a new connection and reads the answer until the server closes it.</summary>
    public static async Task<Answer> SendAsync(Uri baseUrl, HostileCase hostile, CancellationToken cancellationToken)
    {
        using var client = new TcpClient();
        await client.ConnectAsync(baseUrl.Host, baseUrl.Port, cancellationToken);
        var stream = client.GetStream();
        var head = new StringBuilder()
            .Append(hostile.Method).Append(" /v1/chat/completions HTTP/1.1\r\nHost: ").Append(baseUrl.Authority).Append("\r\n")
            .Append("Connection: close\r\n");
        if (hostile.ContentType is { } contentType)
        {
            head.Append("Content-Type: ").Append(contentType).Append("\r\n");
        }

        var promised = hostile.Delivery == HostileDelivery.Truncated ? hostile.Body.Length + 100 : hostile.Body.Length;
        head.Append("Content-Length: ").Append(promised).Append("\r\n");
        var headBytes = new List<byte>(Encoding.ASCII.GetBytes(head.ToString()));
        foreach (var (name, value) in hostile.Headers)
        {
            // Latin-1 so that bytes above 0x7F go out as they are.
            headBytes.AddRange(Encoding.Latin1.GetBytes(name + ": " + value + "\r\n"));
        }

        headBytes.AddRange("\r\n"u8.ToArray());
        try
        {
            await stream.WriteAsync(headBytes.ToArray(), cancellationToken);
            if (hostile.Delivery == HostileDelivery.Slow)
            {
                const int pieces = 6;
                var size = Math.Max(1, (hostile.Body.Length + pieces - 1) / pieces);
                for (var offset = 0; offset < hostile.Body.Length; offset += size)
                {
                    await stream.WriteAsync(hostile.Body.AsMemory(offset, Math.Min(size, hostile.Body.Length - offset)), cancellationToken);
                    await stream.FlushAsync(cancellationToken);
                    await Task.Yield();
                }
            }
            else
            {
                await stream.WriteAsync(hostile.Body, cancellationToken);
            }

            if (hostile.Delivery == HostileDelivery.Truncated)
            {
                // The client stops writing: the server sees the body end short of its Content-Length.
                client.Client.Shutdown(SocketShutdown.Send);
            }
        }
        catch (IOException)
        {
            // The server may refuse the request and close before the client finished writing; its answer is read below.
        }

        return await ReadAsync(stream, cancellationToken);
    }

    private static async Task<Answer> ReadAsync(NetworkStream stream, CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream();
        try
        {
            await stream.CopyToAsync(buffer, cancellationToken);
        }
        catch (IOException)
        {
            // A reset after the answer: keep what arrived.
        }

        var bytes = buffer.ToArray();
        var end = bytes.AsSpan().IndexOf("\r\n\r\n"u8);
        if (end < 0)
        {
            return new Answer(0, Encoding.Latin1.GetString(bytes), []);
        }

        var head = Encoding.Latin1.GetString(bytes, 0, end);
        var status = head.Length > 12 && int.TryParse(head.AsSpan(9, 3), out var code) ? code : 0;
        var body = bytes[(end + 4)..];
        var answer = new Answer(status, head, body);
        return string.Equals(answer.Header("Transfer-Encoding"), "chunked", StringComparison.OrdinalIgnoreCase)
            ? answer with { Body = Dechunk(body) }
            : answer;
    }

    private static byte[] Dechunk(byte[] body)
    {
        using var output = new MemoryStream();
        var position = 0;
        while (position < body.Length)
        {
            var lineEnd = body.AsSpan(position).IndexOf("\r\n"u8);
            if (lineEnd < 0 || !int.TryParse(Encoding.ASCII.GetString(body, position, lineEnd).Split(';')[0], System.Globalization.NumberStyles.HexNumber, null, out var size) || size == 0)
            {
                break;
            }

            position += lineEnd + 2;
            output.Write(body, position, Math.Min(size, body.Length - position));
            position += size + 2;
        }

        return output.ToArray();
    }
}
