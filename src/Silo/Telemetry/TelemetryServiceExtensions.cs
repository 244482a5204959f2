using Dispatcher.Grains.Configuration;
using Dispatcher.Grains.Ledger;
using Dispatcher.Silo.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Dispatcher.Silo.Telemetry;

/// <summary>Registers traces, metrics and the recent-request view of the node.</summary>
public static class TelemetryServiceExtensions
{
    /// <summary>
    /// Adds the OpenTelemetry pipeline (exporting only when an OTLP endpoint is configured), the provider gauges, and
    /// wraps the registered <see cref="IRequestLedger"/> so every finished request is observed. Call after the ledger
    /// is registered.
    /// </summary>
    public static IServiceCollection AddDispatcherTelemetry(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<TelemetryOptions>()
            .Bind(configuration.GetSection(TelemetryOptions.SectionName))
            .Validate(static telemetry => telemetry.SamplingRatio is >= 0 and <= 1, "Dispatcher:Telemetry:SamplingRatio must be from 0 to 1.")
            .Validate(static telemetry => telemetry.RecentRequests is >= 1 and <= 100_000, "Dispatcher:Telemetry:RecentRequests must be from 1 to 100000.")
            .ValidateOnStart();
        services.AddSingleton(provider => OtlpSettings.From(configuration, provider.GetRequiredService<IOptions<TelemetryOptions>>().Value.SamplingRatio));
        services.AddSingleton(static provider => new TelemetryPipeline(
            provider.GetRequiredService<OtlpSettings>(),
            provider.GetRequiredService<IOptions<DispatcherOptions>>().Value.Cluster.NodeId ?? Environment.MachineName,
            () => new ProviderGauges(provider.GetRequiredService<DispatcherRuntime>())));
        services.AddHostedService(static provider => provider.GetRequiredService<TelemetryPipeline>());
        services.AddSingleton(static provider => new RecentRequests(provider.GetRequiredService<IOptions<TelemetryOptions>>().Value.RecentRequests));

        var ledger = services.LastOrDefault(static descriptor => descriptor.ServiceType == typeof(IRequestLedger))
            ?? throw new InvalidOperationException("AddDispatcherTelemetry needs an IRequestLedger registered first.");
        services.Remove(ledger);
        services.AddSingleton<IRequestLedger>(provider => new ObservedRequestLedger(
            Resolve(provider, ledger), provider.GetRequiredService<RecentRequests>(), provider.GetRequiredService<TimeProvider>()));
        return services;
    }

    private static IRequestLedger Resolve(IServiceProvider provider, ServiceDescriptor descriptor) =>
        (IRequestLedger)(descriptor.ImplementationInstance
            ?? descriptor.ImplementationFactory?.Invoke(provider)
            ?? ActivatorUtilities.CreateInstance(provider, descriptor.ImplementationType!));
}
