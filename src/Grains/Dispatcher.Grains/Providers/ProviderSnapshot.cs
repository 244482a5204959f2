namespace Dispatcher.Grains.Providers;

/// <summary>A provider as the operator API shows it (SPEC.md, GET /v1/dispatcher/providers).</summary>
public sealed record ProviderSnapshot(string Name, string State, IReadOnlyList<DeploymentSnapshot> Deployments, IReadOnlyList<KeySnapshot> Keys);
