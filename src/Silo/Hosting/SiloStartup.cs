using Microsoft.Extensions.Hosting;

namespace Dispatcher.Silo.Hosting;

/// <summary>Builds the runtime eagerly at start (so configuration errors stop the node before it listens) and marks it ready.</summary>
internal sealed class SiloStartup : IHostedService
{
    private readonly DispatcherRuntime _runtime;
    private readonly NodeReadiness _readiness;

    public SiloStartup(DispatcherRuntime runtime, NodeReadiness readiness)
    {
        _runtime = runtime;
        _readiness = readiness;
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _ = _runtime.Routes;
        _readiness.MarkReady();
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
