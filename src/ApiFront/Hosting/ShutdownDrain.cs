using Dispatcher.Grains.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Dispatcher.ApiFront.Hosting;

/// <summary>
/// Graceful shutdown. When the host stops, Kestrel stops accepting at once and waits for the requests in flight; this
/// gives them <see cref="ShutdownOptions.DrainTimeout"/> (on the injected clock), then cancels the streams still
/// running, which end with a typed error event. The host's own shutdown timeout is set a little longer, so that
/// those events are written and the ledger (stopped after Kestrel) flushes its rows before anything is cut.
/// </summary>
public sealed class ShutdownDrain : IDisposable
{
    /// <summary>Time left after the drain for the error events and the ledger flush.</summary>
    public static readonly TimeSpan FlushMargin = TimeSpan.FromSeconds(5);

    private readonly CancellationTokenSource _deadline = new();
    private readonly IOptions<DispatcherOptions> _options;
    private readonly TimeProvider _time;
    private readonly CancellationTokenRegistration _onStopping;
    private ITimer? _timer;
    private volatile bool _draining;

    /// <summary>Watches <paramref name="lifetime"/> for the stop.</summary>
    public ShutdownDrain(IHostApplicationLifetime lifetime, IOptions<DispatcherOptions> options, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(lifetime);
        _options = options;
        _time = time;
        _onStopping = lifetime.ApplicationStopping.Register(static state => ((ShutdownDrain)state!).BeginDrain(), this);
    }

    /// <summary>True once the node has been told to stop.</summary>
    public bool IsDraining => _draining;

    /// <summary>Cancelled when the drain timeout has passed: streams still running end now.</summary>
    public CancellationToken Deadline => _deadline.Token;

    /// <inheritdoc />
    public void Dispose()
    {
        _onStopping.Dispose();
        _timer?.Dispose();
        _deadline.Dispose();
    }

    private void BeginDrain()
    {
        _draining = true;
        _timer = _time.CreateTimer(static state => ((ShutdownDrain)state!).EndDrain(), this, _options.Value.Shutdown.DrainTimeout, Timeout.InfiniteTimeSpan);
    }

    private void EndDrain()
    {
        try
        {
            _deadline.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // The host finished stopping first.
        }
    }
}
