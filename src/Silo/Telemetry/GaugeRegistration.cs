using Microsoft.Extensions.Hosting;

namespace Dispatcher.Silo.Telemetry;

/// <summary>Creates the provider gauges at start, so they exist before the first export.</summary>
internal sealed class GaugeRegistration : IHostedService
{
    public GaugeRegistration(ProviderGauges gauges) => _ = gauges;

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
