using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace Dispatcher.TestSupport;

/// <summary>
/// A loopback TCP forwarder in front of a server (PostgreSQL in the cluster suites) that a test can cut and restore:
/// an outage of the database as one node sees it, without stopping the server the other suites share.
/// <see cref="Cut"/> drops every open connection and answers new ones by closing them at once;
/// <see cref="Restore"/> forwards again.
/// </summary>
public sealed class TcpOutageProxy : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly string _targetHost;
    private readonly int _targetPort;
    private readonly ConcurrentDictionary<Socket, byte> _open = new();
    private readonly CancellationTokenSource _disposed = new();
    private readonly Task _accepting;
    private volatile bool _cut;

    private TcpOutageProxy(string targetHost, int targetPort)
    {
        _targetHost = targetHost;
        _targetPort = targetPort;
        _listener.Start();
        _accepting = AcceptAsync();
    }

    /// <summary>The loopback port to connect to instead of the target's.</summary>
    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    /// <summary>Starts forwarding 127.0.0.1:<see cref="Port"/> to <paramref name="host"/>:<paramref name="port"/>.</summary>
    public static TcpOutageProxy Start(string host, int port) => new(host, port);

    /// <summary>Drops every open connection; new ones are closed as soon as they are accepted.</summary>
    public void Cut()
    {
        _cut = true;
        foreach (var socket in _open.Keys)
        {
            Close(socket);
        }
    }

    /// <summary>Forwards new connections again.</summary>
    public void Restore() => _cut = false;

    public async ValueTask DisposeAsync()
    {
        await _disposed.CancelAsync();
        _listener.Stop();
        Cut();
        try
        {
            await _accepting;
        }
        catch (OperationCanceledException)
        {
            // Stopped listening.
        }

        _disposed.Dispose();
    }

    private async Task AcceptAsync()
    {
        while (!_disposed.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await _listener.AcceptSocketAsync(_disposed.Token);
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
                return;
            }

            if (_cut)
            {
                Close(client);
                continue;
            }

            _ = ForwardAsync(client);
        }
    }

    // Owned by the proxy: every failure ends in closing both sockets, which is the point of an outage.
    private async Task ForwardAsync(Socket client)
    {
        var server = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        _open.TryAdd(client, 0);
        _open.TryAdd(server, 0);
        try
        {
            await server.ConnectAsync(_targetHost, _targetPort, _disposed.Token);
            if (_cut)
            {
                return;
            }

            await Task.WhenAny(PumpAsync(client, server), PumpAsync(server, client));
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException or ObjectDisposedException)
        {
            // The connection ends here.
        }
        finally
        {
            Close(client);
            Close(server);
        }
    }

    private async Task PumpAsync(Socket from, Socket to)
    {
        var buffer = new byte[16 * 1024];
        try
        {
            while (true)
            {
                var read = await from.ReceiveAsync(buffer, SocketFlags.None, _disposed.Token);
                if (read == 0 || _cut)
                {
                    return;
                }

                await to.SendAsync(buffer.AsMemory(0, read), SocketFlags.None, _disposed.Token);
            }
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException or ObjectDisposedException)
        {
            // The other direction or Cut closed the sockets.
        }
    }

    private void Close(Socket socket)
    {
        _open.TryRemove(socket, out _);
        try
        {
            socket.Shutdown(SocketShutdown.Both);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            // Already closed.
        }

        socket.Dispose();
    }
}
