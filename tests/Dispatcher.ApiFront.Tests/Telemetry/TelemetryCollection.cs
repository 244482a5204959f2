namespace Dispatcher.ApiFront.Tests.Telemetry;

/// <summary>The tests that read what a node exports over OTLP share one node and one receiver, one at a time.</summary>
[CollectionDefinition(Name)]
public sealed class TelemetryCollection : ICollectionFixture<TelemetryFixture>
{
    public const string Name = "telemetry";
}
