using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Dispatcher.FakeUpstream;

/// <summary>
/// An upstream whose response headers never finish: on loopback, for every connection it reads the request, sends a
/// status line and part of a header, and then nothing until the client gives up. Kestrel cannot be made to do this.
/// </summary>
public sealed class HangingHeadersServer : IAsyncDisposable
{
    private static readonly byte[] PartialHead = Encoding.ASCII.GetBytes("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nx-request-id: req_hang");

    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stopping = new();
    private readonly Task _accepting;
    private readonly SemaphoreSlim _headsSent = new(0);
    private int _connections;
    private int _open;

    private HangingHeadersServer()
    {
        _listener.Start();
        BaseUrl = new Uri($"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}/v1");
        _accepting = AcceptAsync();
    }

    /// <summary>The API root, e.g. <c>http://127.0.0.1:54321/v1</c>.</summary>
    public Uri BaseUrl { get; }

    /// <summary>Connections accepted so far.</summary>
    public int Connections => Volatile.Read(ref _connections);

    /// <summary>Connections still open (the client has not given up yet).</summary>
    public int OpenConnections => Volatile.Read(ref _open);

    /// <summary>Completes once a request has been answered with its partial head (one per call).</summary>
    public Task WaitForPartialHeadAsync(CancellationToken cancellationToken) => _headsSent.WaitAsync(cancellationToken);

    /// <summary>Starts listening on a free loopback port.</summary>
    public static HangingHeadersServer Start() => new();

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        _listener.Stop();
        try
        {
            await _accepting;
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
        {
            // Stopping.
        }

        _stopping.Dispose();
        _headsSent.Dispose();
    }

    private async Task AcceptAsync()
    {
        while (!_stopping.IsCancellationRequested)
        {
            var client = await _listener.AcceptTcpClientAsync(_stopping.Token);
            Interlocked.Increment(ref _connections);
            _ = HangAsync(client);
        }
    }

    private async Task HangAsync(TcpClient client)
    {
        Interlocked.Increment(ref _open);
        using (client)
        {
            try
            {
                var stream = client.GetStream();
                var buffer = new byte[16 * 1024];
                var read = await stream.ReadAsync(buffer, _stopping.Token);
                if (read > 0)
                {
                    await stream.WriteAsync(PartialHead, _stopping.Token);
                    _headsSent.Release();
                }

                // Drain until the client closes: a read of zero is the client giving up.
                while (await stream.ReadAsync(buffer, _stopping.Token) > 0)
                {
                }
            }
            catch (Exception ex) when (ex is IOException or OperationCanceledException or SocketException)
            {
                // The client or the server gave up.
            }
        }

        Interlocked.Decrement(ref _open);
    }
}
